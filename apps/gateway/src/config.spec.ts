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
      GATEWAY_MAX_MESSAGES_PER_SECOND: 20,
      GATEWAY_JWT_SECRET: undefined,
      GATEWAY_JWT_JWKS_URL: undefined,
      GATEWAY_JWT_MOD_CLAIM: 'mod',
    });
  });

  it('names a bad variable', () => {
    expect(() => loadConfig(gatewayConfig, { GATEWAY_MAX_SUBSCRIPTIONS: '0' })).toThrow(
      'GATEWAY_MAX_SUBSCRIPTIONS',
    );
  });

  it('checks token settings', () => {
    expect(() => loadConfig(gatewayConfig, { GATEWAY_JWT_SECRET: 'short' })).toThrow(
      'GATEWAY_JWT_SECRET must be at least 32 bytes long',
    );
    expect(() => loadConfig(gatewayConfig, { GATEWAY_JWT_JWKS_URL: 'ftp://keys' })).toThrow(
      'GATEWAY_JWT_JWKS_URL expected an http(s) URL',
    );
    expect(() => loadConfig(gatewayConfig, { GATEWAY_JWT_JWKS_URL: 'not a url' })).toThrow(
      'GATEWAY_JWT_JWKS_URL',
    );
    const secret = 'x'.repeat(32);
    expect(loadConfig(gatewayConfig, { GATEWAY_JWT_SECRET: secret }).GATEWAY_JWT_SECRET).toBe(secret);
  });

  it('reads the origin allow-list, empty by default, and names a bad entry', () => {
    expect(loadConfig(gatewayConfig, {}).GATEWAY_ALLOWED_ORIGINS).toEqual([]);
    expect(loadConfig(gatewayConfig, { GATEWAY_ALLOWED_ORIGINS: '' }).GATEWAY_ALLOWED_ORIGINS).toEqual([]);
    expect(
      loadConfig(gatewayConfig, { GATEWAY_ALLOWED_ORIGINS: 'https://www.Example.com, http://localhost:3000' })
        .GATEWAY_ALLOWED_ORIGINS,
    ).toEqual(['https://www.example.com', 'http://localhost:3000']);
    expect(() => loadConfig(gatewayConfig, { GATEWAY_ALLOWED_ORIGINS: 'https://a.example/app' })).toThrow(
      'GATEWAY_ALLOWED_ORIGINS expected origins such as https://www.example.com, got "https://a.example/app"',
    );
  });
});
