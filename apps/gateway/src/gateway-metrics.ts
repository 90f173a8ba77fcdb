import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface GatewayMetrics {
  sockets: Gauge;
  subscriptions: Gauge;
  eventsDelivered: Counter;
  /** Fan-out's flushes, and the socket writes (uncorks) they made: deliveries per write = events / writes. */
  writeFlushes: Counter;
  socketWrites: Counter;
  bytesWritten: Counter;
  framesRejected: Counter<'code'>;
  recordsUnusable: Counter<'reason'>;
  slowSocketsCut: Counter;
  e2eLatency: Histogram;
  hopLatency: Histogram<'hop'>;
  partitionReading: Gauge<'partition'>;
  partitionsRead: Gauge;
  partitionLag: Gauge<'partition'>;
  replays: Counter;
  replaysActive: Gauge;
  replaysRefused: Counter<'reason'>;
  resets: Counter;
  handshakesRefused: Counter<'status'>;
  socketsRefused: Counter<'reason'>;
  presenceUnpublished: Gauge;
}

export function gatewayMetrics(registry: Registry): GatewayMetrics {
  const registers = [registry];
  return {
    sockets: new Gauge({ name: 'threadcast_gateway_sockets', help: 'Open client sockets.', registers }),
    subscriptions: new Gauge({
      name: 'threadcast_gateway_subscriptions',
      help: 'Channel subscriptions held by all open sockets.',
      registers,
    }),
    eventsDelivered: new Counter({
      name: 'threadcast_gateway_events_delivered_total',
      help: 'Event frames written to sockets (one per socket per record).',
      registers,
    }),
    writeFlushes: new Counter({
      name: 'threadcast_gateway_write_flushes_total',
      help: 'Fan-out write windows flushed (GATEWAY_WRITE_DELAY_MS): each uncorks every socket written to in it.',
      registers,
    }),
    socketWrites: new Counter({
      name: 'threadcast_gateway_socket_writes_total',
      help: 'Socket writes fan-out made (one per socket per window, however many frames it carried).',
      registers,
    }),
    bytesWritten: new Counter({
      name: 'threadcast_gateway_bytes_written_total',
      help: 'Bytes of event frames written to sockets (WebSocket framing not counted).',
      registers,
    }),
    framesRejected: new Counter({
      name: 'threadcast_gateway_frames_rejected_total',
      help: 'Client frames refused, by error code (bad_request, forbidden, too_many_subscriptions, rate_limited, unavailable, frame_too_large, ws_protocol_error).',
      labelNames: ['code'],
      registers,
    }),
    recordsUnusable: new Counter({
      name: 'threadcast_gateway_records_unusable_total',
      help: 'deliveries records with subscribers that could not be framed, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    slowSocketsCut: new Counter({
      name: 'threadcast_gateway_slow_sockets_cut_total',
      help: 'Sockets closed (1013) because their unsent backlog passed GATEWAY_MAX_BUFFERED_BYTES.',
      registers,
    }),
    e2eLatency: new Histogram({
      name: 'threadcast_e2e_latency_seconds',
      help: 'From accept (tc-accepted-at) to the gateway writing the event, once per record delivered to at least one socket.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    hopLatency: new Histogram({
      name: 'threadcast_hop_latency_seconds',
      help: "The e2e latency split by hop (ingest: accept -> comments record; enrich: -> comments.enriched record; route: -> deliveries record; gateway: -> written to the sockets), from the records' Kafka timestamps (tc-hops); a hop whose timestamps are missing is not observed.",
      labelNames: ['hop'],
      // Fine enough to interpolate a p50 and a p99 of a few milliseconds from the buckets.
      buckets: [
        0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1,
        2, 5,
      ],
      registers,
    }),
    partitionReading: new Gauge({
      name: 'threadcast_gateway_partition_reading',
      help: '1 for each deliveries partition this pod reads (some socket here subscribes to a channel in it), else 0.',
      labelNames: ['partition'],
      registers,
    }),
    partitionsRead: new Gauge({
      name: 'threadcast_gateway_partitions_read',
      help: 'How many deliveries partitions this pod reads.',
      registers,
    }),
    partitionLag: new Gauge({
      name: 'threadcast_gateway_partition_lag',
      help: 'Records between where this pod reads a deliveries partition and its end, after the last fetch.',
      labelNames: ['partition'],
      registers,
    }),
    replays: new Counter({
      name: 'threadcast_gateway_replays_total',
      help: 'Replays started: subscriptions resumed from a cursor behind the live reader, served by the replay reader.',
      registers,
    }),
    replaysActive: new Gauge({
      name: 'threadcast_gateway_replays_active',
      help: 'Replays in progress on this pod (GATEWAY_MAX_REPLAYS caps it).',
      registers,
    }),
    replaysRefused: new Counter({
      name: 'threadcast_gateway_replays_refused_total',
      help: 'Resumes answered with reset instead of a replay: reason socket (its replay budget, GATEWAY_REPLAY_BUDGET_RECORDS, is spent) or pod (GATEWAY_MAX_REPLAYS replays in progress).',
      labelNames: ['reason'],
      registers,
    }),
    resets: new Counter({
      name: 'threadcast_gateway_resets_total',
      help: 'Subscriptions whose cursor could not be resumed (too old, beyond the log, other partition); answered reset.',
      registers,
    }),
    handshakesRefused: new Counter({
      name: 'threadcast_gateway_handshakes_refused_total',
      help: 'WebSocket upgrades refused, by HTTP status (401 bad token, 403 origin not allowed, 404 wrong path, 503 draining or keys unavailable).',
      labelNames: ['status'],
      registers,
    }),
    socketsRefused: new Counter({
      name: 'threadcast_gateway_sockets_refused_total',
      help: 'Sockets closed at once for a cap: reason pod_full (GATEWAY_MAX_SOCKETS, close 1013) or address_full (GATEWAY_MAX_SOCKETS_PER_ADDRESS, close 4429).',
      labelNames: ['reason'],
      registers,
    }),
    presenceUnpublished: new Gauge({
      name: 'threadcast_gateway_presence_channels_unpublished',
      help: 'Channels with readers on this pod whose count was not published at the last presence tick (past GATEWAY_PRESENCE_MAX_CHANNELS).',
      registers,
    }),
  };
}
