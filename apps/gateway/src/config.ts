import { int, kafkaConfig, opsConfig, port, processConfig } from '@threadcast/config';

export const gatewayConfig = {
  ...kafkaConfig,
  ...processConfig,
  ...opsConfig(9104),
  GATEWAY_PORT: port('Port of the client WebSocket endpoint (path /ws).', 8090),
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
  GATEWAY_PING_INTERVAL_MS: int('WebSocket ping period; a socket that misses one pong is dropped.', 30_000, {
    min: 100,
  }),
  GATEWAY_DRAIN_MS: int('On shutdown, how long sockets get to close (1012) before they are cut.', 5000, {
    min: 0,
  }),
  GATEWAY_MAX_BUFFERED_BYTES: int(
    'Bytes queued to one socket beyond which it is a slow consumer and is cut, so it cannot hold memory.',
    1024 * 1024,
    { min: 1024 },
  ),
} as const;
