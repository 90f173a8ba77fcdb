import { loadConfig } from '@threadcast/config';
import { ingestConfig } from './config';

describe('ingest config', () => {
  it('needs nothing set locally', () => {
    expect(loadConfig(ingestConfig, {})).toMatchObject({
      INGEST_PORT: 8080,
      OPS_PORT: 9101,
      INGEST_MAX_BODY_BYTES: 16_384,
      INGEST_API_KEYS: [],
      INGEST_ALLOW_ANONYMOUS: false,
      INGEST_PRODUCE_QUEUE_BYTES: 16 * 1024 * 1024,
      INGEST_CORS_ORIGINS: [],
      INGEST_RATE_PER_AUTHOR: 20,
      INGEST_BURST_PER_AUTHOR: 40,
      INGEST_PRODUCE_TIMEOUT_MS: 5000,
      INGEST_IDEMPOTENCY_CACHE_SIZE: 10_000,
      INGEST_IDEMPOTENCY_TTL_SECONDS: 86_400,
    });
  });

  it('reads CORS origins, and names a bad one', () => {
    expect(
      loadConfig(ingestConfig, { INGEST_CORS_ORIGINS: 'http://localhost:8000, https://a.example' })
        .INGEST_CORS_ORIGINS,
    ).toEqual(['http://localhost:8000', 'https://a.example']);
    expect(loadConfig(ingestConfig, { INGEST_CORS_ORIGINS: '*' }).INGEST_CORS_ORIGINS).toEqual(['*']);
    expect(
      loadConfig(ingestConfig, { INGEST_CORS_ORIGINS: 'http://LocalHost:8000/' }).INGEST_CORS_ORIGINS,
    ).toEqual(['http://localhost:8000']);
    for (const bad of ['localhost:8000', 'ftp://a.example', 'http://a.example/x', '*,http://a.example']) {
      expect(() => loadConfig(ingestConfig, { INGEST_CORS_ORIGINS: bad })).toThrow(/INGEST_CORS_ORIGINS/);
    }
  });

  it('reads a list of named API keys, and names a bad one by position only', () => {
    expect(loadConfig(ingestConfig, { INGEST_API_KEYS: 'web:a, mods:b:moderator' }).INGEST_API_KEYS).toEqual([
      { name: 'web', secret: 'a', moderator: false },
      { name: 'mods', secret: 'b', moderator: true },
    ]);
    expect(() => loadConfig(ingestConfig, { INGEST_API_KEYS: 'web:zz9:root' })).toThrow(
      'invalid configuration: INGEST_API_KEYS expected name:secret or name:secret:moderator (item 1 of 1)',
    );
  });
});
