import {
  bool,
  FieldError,
  int,
  kafkaConfig,
  opsConfig,
  optional,
  origins,
  port,
  processConfig,
  str,
  type Field,
} from '@threadcast/config';

/** An HS256 key: RFC 7518 wants at least as many bits as the hash, 256. */
function hmacSecret(doc: string): Field<string | undefined> {
  return {
    doc,
    default: undefined,
    parse(raw) {
      if (raw === '') return undefined;
      if (Buffer.byteLength(raw) < 32) throw new FieldError('must be at least 32 bytes long for HS256');
      return raw;
    },
  };
}

function httpUrl(doc: string): Field<string | undefined> {
  return {
    doc,
    default: undefined,
    parse(raw) {
      if (raw === '') return undefined;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new FieldError(`expected an http(s) URL, got ${JSON.stringify(raw)}`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new FieldError(`expected an http(s) URL, got ${JSON.stringify(raw)}`);
      }
      return raw;
    },
  };
}

/**
 * Fan-out's write window (GATEWAY_WRITE_DELAY_MS), chosen by measurement: docs/benchmarks.md,
 * "write window".
 */
const WRITE_DELAY_DEFAULT_MS = 0;

export const gatewayConfig = {
  ...kafkaConfig,
  ...processConfig,
  ...opsConfig(9104),
  GATEWAY_PORT: port('Port of the client WebSocket endpoint (path /ws).', 8090),
  GATEWAY_HOST: str(
    'Address the client WebSocket endpoint listens on. GATEWAY_DEV_AUTH needs a loopback one (127.0.0.1, ::1 or localhost); npm start sets 127.0.0.1.',
    '0.0.0.0',
  ),
  NODE_ENV: str(
    'production in the container image (deploy/docker/Dockerfile); GATEWAY_DEV_AUTH is refused there.',
    'development',
  ),
  GATEWAY_MAX_SOCKETS: int(
    'Sockets this pod holds at most; one more is accepted and closed at once with 1013 (try again later), counted in threadcast_gateway_sockets_refused_total{reason="pod_full"}.',
    100_000,
    { min: 1 },
  ),
  GATEWAY_MAX_SOCKETS_PER_ADDRESS: int(
    'Sockets one client address (an IPv6 /64) may hold on this pod; one more is accepted and closed at once with 4429, counted in threadcast_gateway_sockets_refused_total{reason="address_full"}. Behind a proxy, set GATEWAY_CLIENT_ADDRESS_HEADER or every client shares the proxy\'s address.',
    64,
    { min: 1 },
  ),
  GATEWAY_CLIENT_ADDRESS_HEADER: optional(
    'Header the proxy in front of the gateway appends the client address to, e.g. x-forwarded-for; its last entry is used (the one the proxy wrote). Unset: the TCP peer address. Set it only behind a proxy that always writes it, or clients can pick their own address.',
  ),
  GATEWAY_REPLAY_BUDGET_RECORDS: int(
    'Records of replay (resume distance, in records of the partition) one socket may cost the pod per minute; a resume past what is left is answered reset.',
    300_000,
    { min: 0 },
  ),
  GATEWAY_MAX_REPLAYS: int(
    'Replays in progress at once on this pod (served by the replay reader, never the live one); a resume past it is answered reset.',
    1000,
    { min: 1 },
  ),
  GATEWAY_MAX_FRAME_BYTES: int(
    'Largest client frame accepted; a bigger one closes the socket with 1009.',
    4096,
    {
      min: 64,
      max: 1024 * 1024,
    },
  ),
  GATEWAY_MAX_SUBSCRIPTIONS: int('Channels one socket may subscribe to at once.', 100, {
    min: 1,
    max: 100_000,
  }),
  GATEWAY_MAX_MESSAGES_PER_SECOND: int(
    'Client frames per second one socket may send, sustained; more get error rate_limited and are dropped, and 100 dropped in a row close the socket with 1008.',
    20,
    { min: 1 },
  ),
  GATEWAY_MESSAGE_BURST: int('Client frames one socket may send at once above the sustained rate.', 200, {
    min: 1,
  }),
  GATEWAY_MAX_REPLAY_RECORDS: int(
    "How far behind a resume cursor may be, in records of its channel's deliveries partition; a cursor further back gets reset. Bounds the re-reading one resume costs the pod.",
    100_000,
    { min: 0 },
  ),
  GATEWAY_PING_INTERVAL_MS: int(
    'WebSocket ping period; a socket that has not answered the last ping with a pong by the next is dropped (only pongs count as liveness: a peer that sends but never reads is dropped too).',
    30_000,
    {
      min: 100,
    },
  ),
  GATEWAY_DRAIN_MS: int('On shutdown, how long sockets get to close (1012) before they are cut.', 5000, {
    min: 0,
  }),
  GATEWAY_MAX_BUFFERED_BYTES: int(
    'Bytes queued to one socket beyond which it is a slow consumer: closed with 1013 and cut a second later, so it cannot hold memory.',
    1024 * 1024,
    { min: 1024 },
  ),
  GATEWAY_WRITE_DELAY_MS: int(
    "How long a socket's first event frame waits for the ones that follow, so that they leave in one write: fewer syscalls per delivery at a steady rate, at the price of up to this much latency. 0 writes each fetch's frames at once.",
    WRITE_DELAY_DEFAULT_MS,
    { min: 0, max: 100 },
  ),
  GATEWAY_PRESENCE_INTERVAL_MS: int(
    'How often the pod publishes the subscriber counts per channel that changed to the presence topic (every count each GATEWAY_PRESENCE_REFRESH_MS).',
    2000,
    { min: 50 },
  ),
  GATEWAY_PRESENCE_REFRESH_MS: int(
    "How often the pod publishes every channel's count, changed or not; between refreshes it publishes only the counts that changed (each GATEWAY_PRESENCE_INTERVAL_MS). A pod not heard from for 3 refreshes (killed) no longer counts, and a pod that starts serving a channel learns the other pods' unchanged counts within one refresh.",
    10_000,
    { min: 50, max: 600_000 },
  ),
  GATEWAY_PRESENCE_MAX_CHANNELS: int(
    'Channels whose reader count this pod publishes to the presence topic, at most; channels past it show only local readers and are counted in threadcast_gateway_presence_channels_unpublished.',
    10_000,
    { min: 1 },
  ),
  GATEWAY_PRESENCE_MIN_GAP_MS: int(
    'Least time between two presence frames of one channel: changes meanwhile are sent together, so a join storm costs each reader one frame per gap instead of one per join. The first frame is never held.',
    1000,
    { min: 0, max: 60_000 },
  ),
  GATEWAY_JWT_SECRET: hmacSecret(
    'HS256 secret that signs client tokens (?token=). Unset, with GATEWAY_JWT_JWKS_URL unset too: sockets are anonymous and a token is refused.',
  ),
  GATEWAY_JWT_JWKS_URL: httpUrl(
    'JWKS URL whose keys (RS/PS/ES/EdDSA) sign client tokens; instead of GATEWAY_JWT_SECRET.',
  ),
  GATEWAY_DEV_AUTH: bool(
    'Local development only: verify tokens with the development secret published in the source (apps/gateway/src/dev-tokens.ts) and mint demo tokens on GET /demo-token. `npm start` turns it on. Refused unless GATEWAY_HOST is a loopback address and NODE_ENV is not production: anyone can sign any token with that secret.',
    false,
  ),
  GATEWAY_JWT_ISSUER: optional('Required `iss` of client tokens, when set.'),
  GATEWAY_JWT_AUDIENCE: optional('Required `aud` of client tokens, when set.'),
  GATEWAY_ALLOWED_ORIGINS: origins(
    'Browser origins allowed to open WebSockets (comma-separated, e.g. https://www.example.com), or * for every origin; a handshake from any other site gets 403. Same-origin pages and clients that send no Origin (servers, apps) are always allowed. Empty or unset: no other origin (the same rule as INGEST_CORS_ORIGINS). npm start sets it for the demo page.',
  ),
  GATEWAY_JWT_MOD_CLAIM: str(
    'Token claim listing the forums the user moderates (an array of forum ids).',
    'mod',
  ),
} as const;
