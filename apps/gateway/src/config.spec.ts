import { loadConfig } from '@threadcast/config';
import { gatewayConfig } from './config';

describe('gateway config', () => {
  it('needs nothing set locally', () => {
    expect(loadConfig(gatewayConfig, {})).toMatchObject({
      GATEWAY_PORT: 8090,
      OPS_PORT: 9104,
      GATEWAY_MAX_FRAME_BYTES: 4096,
      GATEWAY_MAX_SUBSCRIPTIONS: 100,
      GATEWAY_PING_INTERVAL_MS: 30_000,
      GATEWAY_DRAIN_MS: 5000,
      GATEWAY_MAX_BUFFERED_BYTES: 1024 * 1024,
    });
  });

  it('names a bad variable', () => {
    expect(() => loadConfig(gatewayConfig, { GATEWAY_MAX_SUBSCRIPTIONS: '0' })).toThrow(
      'GATEWAY_MAX_SUBSCRIPTIONS',
    );
  });
});
