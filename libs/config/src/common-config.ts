import { bool, int, list, oneOf, optional, pemFile, port, str } from './fields';

/** Settings every Kafka-connected service shares. */
export const kafkaConfig = {
  KAFKA_BROKERS: list('Kafka bootstrap servers, comma-separated host:port.', ['localhost:9092']),
  KAFKA_CLIENT_ID: optional('Kafka client id; defaults to the service name.'),
  KAFKA_SSL: bool('Connect to Kafka over TLS.', false),
  KAFKA_SSL_CA_FILE: pemFile(
    "PEM bundle of the CAs that sign the brokers' certificates (a private CA, e.g. Strimzi's cluster CA), with KAFKA_SSL; trusted instead of Node's default CAs. Unset: Node's default (public) CAs.",
    'certificate',
  ),
  KAFKA_SSL_CERT_FILE: pemFile(
    'PEM client certificate (and its chain) for brokers that require one (mutual TLS), with KAFKA_SSL and KAFKA_SSL_KEY_FILE.',
    'certificate',
  ),
  KAFKA_SSL_KEY_FILE: pemFile(
    'PEM private key (unencrypted) of KAFKA_SSL_CERT_FILE; never logged.',
    'private key',
  ),
  KAFKA_SSL_SERVERNAME: optional(
    "Name to expect in the brokers' certificates (and send as SNI) instead of the host of each broker address; for brokers reached through an address their certificates do not name.",
  ),
  KAFKA_SASL_MECHANISM: oneOf(
    'SASL mechanism, or none.',
    ['none', 'plain', 'scram-sha-256', 'scram-sha-512'],
    'none',
  ),
  KAFKA_SASL_USERNAME: optional('SASL username (with KAFKA_SASL_MECHANISM).'),
  KAFKA_SASL_PASSWORD: optional('SASL password (with KAFKA_SASL_MECHANISM); never logged.'),
  KAFKA_PARTITIONS: int(
    'Partitions of comments, comments.enriched and deliveries (they must match) when provisioning.',
    12,
    { min: 1, max: 10_000 },
  ),
  KAFKA_REPLICATION_FACTOR: int('Replication factor used when provisioning topics.', 1, { min: 1, max: 16 }),
  KAFKA_PRODUCE_INTERVAL_MS: int(
    'Least time between two produce requests of one producer: under load records wait up to this long and leave together, so the broker sees fewer, larger requests; a producer that sends less often never waits. 0 sends as soon as the previous request is acknowledged.',
    5,
    { min: 0, max: 1000 },
  ),
  KAFKA_MAX_REQUEST_BYTES: int(
    "Largest produce request (bytes, estimated from above) of enrich's and route's producers: more leaves in several requests; a record over it alone is refused and its input dead-lettered. Keep it under the broker's message.max.bytes (1 MiB).",
    1_040_000,
    { min: 16_384, max: 100 * 1024 * 1024 },
  ),
} as const;

/** Settings of services that consume as members of a shared consumer group (the stages). */
export const consumerGroupConfig = {
  KAFKA_SESSION_TIMEOUT_MS: int(
    'How long the broker waits for a silent group member (a killed pod) before giving its partitions to the others. Lower recovers faster; too low evicts pods paused by GC or CPU starvation.',
    30_000,
    { min: 6_000, max: 300_000 },
  ),
} as const;

/** Where a stage keeps its partition-local state stores (LMDB, one directory per store and partition). */
export const stateConfig = {
  STATE_DIR: str(
    'Directory of the state stores: <STATE_DIR>/<service>/<store>/<partition>. Mount a volume here in Kubernetes; with local state kept across restarts a pod restores only what changed since its checkpoint, without it everything from the changelog. Relative paths are from the working directory.',
    '.data/state',
  ),
  STATE_RETENTION_DAYS: int(
    'Retention window of comment state: a comment created more than this many days ago (by its event time) is dropped from the stores (its keys deleted and tombstoned in the changelog), and later events for it are dead-lettered as for an unknown comment (unknown_comment). Bounds the stores by the window, not by history. 0 keeps forever.',
    30,
    { min: 0, max: 36_500 },
  ),
} as const;

/** Logging and identity. */
export const processConfig = {
  LOG_LEVEL: oneOf('pino log level.', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  SERVICE_INSTANCE_ID: optional('Pod or instance name for logs and consumer ids; defaults to hostname-pid.'),
  SHUTDOWN_TIMEOUT_MS: int('How long graceful shutdown may take before the process exits anyway.', 10_000, {
    min: 0,
  }),
} as const;

/** The internal port for /healthz, /readyz and /metrics, apart from client traffic. */
export function opsConfig(defaultPort: number) {
  return { OPS_PORT: port('Internal port for /healthz, /readyz and /metrics.', defaultPort) } as const;
}
