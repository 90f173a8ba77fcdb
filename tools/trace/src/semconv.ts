// The trace contract the services emit (docs/runbook.md): service names and the attributes the
// waterfall shows. The CLI prints whatever spans a trace has; these only pick the extra columns.

export const SERVICE_PREFIX = 'threadcast-';
export const SERVICES = {
  ingest: 'threadcast-ingest',
  enrich: 'threadcast-enrich',
  route: 'threadcast-route',
  gateway: 'threadcast-gateway',
} as const;

/** Where a comment id is searched: every stage that knows it (product teams may skip ingest). */
export const COMMENT_SEARCH_SERVICES = [SERVICES.ingest, SERVICES.enrich, SERVICES.route];

export const ATTR = {
  commentId: 'comment.id',
  threadId: 'thread.id',
  forumId: 'forum.id',
  channel: 'channel',
  sockets: 'gateway.sockets',
  e2eLatencyMs: 'threadcast.e2e_latency_ms',
  topic: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  offset: 'messaging.kafka.offset',
  /** Older semantic conventions name the offset so. */
  offsetLegacy: 'messaging.kafka.message.offset',
  /** Resource attribute: the pod. */
  instance: 'service.instance.id',
  statusCode: 'otel.status_code',
  statusDescription: 'otel.status_description',
  error: 'error',
} as const;

/** A gateway fan-out span: one per pod per event; its end is when the sockets were written. */
export const FAN_OUT_PREFIX = 'fan-out';
