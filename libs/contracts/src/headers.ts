/** Kafka record header names, defined once. Values are UTF-8 strings. */
export const HEADERS = {
  /** Which schema the value follows, e.g. `comments.v1`. */
  schemaId: 'tc-schema',
  /** On `deliveries`: the channel, so the gateway routes a record without parsing its value. */
  channel: 'tc-channel',
  /** The event's id, stable through every stage. */
  eventId: 'tc-event-id',
  /** When ingest (or the producing team) accepted the event: epoch milliseconds. */
  acceptedAt: 'tc-accepted-at',
  /**
   * The Kafka timestamps (epoch ms, CreateTime) of the records this one descends from, oldest
   * first, comma separated: on `comments.enriched` the `comments` record's, on `deliveries` the
   * `comments` and `comments.enriched` records'. The stage runner appends its input's; the
   * gateway turns them into per-hop latencies.
   */
  hops: 'tc-hops',
  /** W3C trace context. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** Headers a dead-lettered record carries besides its original ones. */
export const DLQ_HEADERS = {
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  stage: 'dlq-stage',
  reason: 'dlq-reason',
  code: 'dlq-code',
  at: 'dlq-at',
  /**
   * On a DLQ copy whose value was cut so that the copy fits a produce request: the original
   * value's length in bytes. The whole value is still at the source position until retention.
   */
  valueTruncated: 'dlq-value-truncated',
  /** On a record re-driven from the DLQ (`npm run dlq -- replay`): `comments.dlq/<partition>/<offset>`. */
  replayedFrom: 'dlq-replayed-from',
} as const;

export const SCHEMA_IDS = {
  commentsV1: 'comments.v1',
  usersV1: 'users.v1',
  threadsV1: 'threads.v1',
  enrichedV1: 'comments.enriched.v1',
  deliveriesV1: 'deliveries.v1',
} as const;
