import {
  bool,
  int,
  kafkaConfig,
  opsConfig,
  origins,
  port,
  processConfig,
  str,
  type ConfigOf,
} from '@threadcast/config';
import { apiKeyList } from './api-keys';

export const ingestConfig = {
  ...kafkaConfig,
  ...processConfig,
  ...opsConfig(9101),
  INGEST_HOST: str('Address the client HTTP API listens on.', '0.0.0.0'),
  INGEST_PORT: port('Port of the client HTTP API.', 8080),
  INGEST_MAX_BODY_BYTES: int('Largest request body accepted; larger ones get 413.', 16_384, {
    min: 256,
    max: 1_048_576,
  }),
  INGEST_CORS_ORIGINS: origins(
    'Browser origins allowed to call the API from other origins (CORS), comma-separated, e.g. http://localhost:8000, or * for every origin. Empty or unset: none (the same rule as GATEWAY_ALLOWED_ORIGINS). npm start sets it for the demo page.',
  ),
  INGEST_API_KEYS: apiKeyList(
    'API keys accepted in x-api-key or Authorization: Bearer, comma-separated `name:secret`, or `name:secret:moderator` for a caller that may edit and delete as a moderator (`asModerator`). The name (letters, digits, _ . -) scopes Idempotency-Keys and labels logs and metrics. A bare `secret` still works, named `key-` and 8 hex digits of its SHA-256. Unset: ingest refuses to start unless INGEST_ALLOW_ANONYMOUS is on.',
  ),
  INGEST_ALLOW_ANONYMOUS: bool(
    'Local development only: with no INGEST_API_KEYS, anyone may write as anyone (caller `anonymous`, never a moderator). `npm start` turns it on; the Helm chart never does. Ignored when keys are set.',
    false,
  ),
  INGEST_RATE_PER_AUTHOR: int(
    'Writes per second each author may sustain, per pod; 0 turns the limit off.',
    20,
    { min: 0, max: 1_000_000 },
  ),
  INGEST_BURST_PER_AUTHOR: int('Writes an author may make at once before the per-second rate applies.', 40, {
    min: 1,
    max: 1_000_000,
  }),
  INGEST_RATE_MAX_AUTHORS: int(
    'Rate-limit buckets kept in memory; the least recently used go first.',
    100_000,
    { min: 100 },
  ),
  INGEST_PRODUCE_TIMEOUT_MS: int(
    'How long a write waits for Kafka to acknowledge before answering 503.',
    5000,
    { min: 100, max: 120_000 },
  ),
  INGEST_PRODUCE_QUEUE_BYTES: int(
    'Bytes of records waiting for Kafka to acknowledge, at most; a write that would pass it gets 503 at once. Records whose write timed out are dropped, so they never land later.',
    16 * 1024 * 1024,
    { min: 65_536 },
  ),
  INGEST_IDEMPOTENCY_CACHE_SIZE: int('Answers to Idempotency-Key requests remembered per pod.', 10_000, {
    min: 0,
  }),
  INGEST_IDEMPOTENCY_TTL_SECONDS: int('How long a remembered answer is replayed.', 86_400, { min: 1 }),
} as const;

export type IngestConfig = ConfigOf<typeof ingestConfig>;
