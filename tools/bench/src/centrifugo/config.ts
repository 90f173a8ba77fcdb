/**
 * The Centrifugo configuration of a `--peer centrifugo` run, and the settings it states for the
 * report. Centrifugo reads the bench's events from a topic shaped like `deliveries` (same key,
 * same partition count) with its built-in Kafka consumer in publication data mode: a record's
 * value is the publication data, its `centrifugo-channels` header the channel. Clients connect
 * with an HMAC (HS256) JWT signed by the bench and subscribe to `thread:<id>` channels, which
 * the `thread` namespace lets them do. Bound to 127.0.0.1 only.
 */

/** Header naming a record's channel(s), as Centrifugo's publication data mode reads it. */
export const CHANNELS_HEADER = 'centrifugo-channels';
/** Namespace of the bench's channels: `thread:<id>` is channel `<id>` in namespace `thread`. */
export const NAMESPACE = 'thread';

export interface CentrifugoSetup {
  port: number;
  brokers: string[];
  topic: string;
  consumerGroup: string;
  hmacSecret: string;
}

export function centrifugoConfig(s: CentrifugoSetup): Record<string, unknown> {
  return {
    log: { level: 'warn' },
    http_server: { address: '127.0.0.1', port: s.port },
    client: { token: { hmac_secret_key: s.hmacSecret } },
    channel: { namespaces: [{ name: NAMESPACE, allow_subscribe_for_client: true }] },
    health: { enabled: true },
    // pprof on the same loopback port: `/debug/pprof/heap?gc=1` is how the runner asks for a
    // full GC before a memory reading, as it does of the Node servers.
    debug: { enabled: true },
    usage_stats: { disabled: true },
    consumers: [
      {
        name: 'bench',
        enabled: true,
        type: 'kafka',
        kafka: {
          brokers: s.brokers,
          topics: [s.topic],
          consumer_group: s.consumerGroup,
          publication_data_mode: { enabled: true, channels_header: CHANNELS_HEADER },
        },
      },
    ],
  };
}

/**
 * What the run used, for the report, beside the gateway's settings: Centrifugo's defaults that
 * bear on fan-out cost and latency, stated rather than set (v6's config has no write_delay or
 * max_messages_in_frame: centrifuge's defaults apply).
 */
export function centrifugoSettings(version: string, s: CentrifugoSetup): [string, string][] {
  return [
    ['version', `v${version} (go install, default GOGC/GOMAXPROCS: every core)`],
    ['engine', 'memory (one node), no history/recovery (no offsets in publications)'],
    ['input', `built-in Kafka consumer, publication data mode, topic ${s.topic} (deliveries' partitions)`],
    ['kafka consumer', 'defaults: fetch_max_wait 500ms, max_poll_records 100, partition_queue_max_size 1000'],
    ['clients', 'JSON protocol over WebSocket (/connection/websocket), HS256 JWT, client-side subscribe'],
    ['write_delay', '0 (not configurable in v6 OSS: each message is written when queued)'],
    ['max_messages_in_frame', '16 (default: messages queued together go in one frame, newline-separated)'],
    ['websocket', 'defaults: no compression, write_timeout 1000ms, message_size_limit 65536'],
    ['client queue_max_size', 'default (slow-client cut-off)'],
    [
      'gateway, same run',
      'its defaults but GATEWAY_DRAIN_MS 2000 and the socket caps lifted; anonymous sockets (no token), one subscribe',
    ],
  ];
}
