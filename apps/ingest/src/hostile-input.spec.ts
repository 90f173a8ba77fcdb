import { connect } from 'node:net';
import { HEADERS } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { apiKeyList } from './api-keys';
import { buildIngestApp, type IngestAppConfig } from './build-ingest-app';

const keys = (list: string) => apiKeyList('').parse(list);

// Issue 7: what an attacker (or a broken client) can send ingest. Every such request gets a 4xx
// with the API's JSON error shape (or, for malformed HTTP, a 4xx and a closed connection), and
// nothing reaches Kafka. The happy paths live in build-ingest-app.spec.ts.

const config: IngestAppConfig = {
  INGEST_MAX_BODY_BYTES: 16_384,
  INGEST_API_KEYS: [],
  INGEST_ALLOW_ANONYMOUS: true,
  INGEST_PRODUCE_QUEUE_BYTES: 1_048_576,
  INGEST_RATE_PER_AUTHOR: 0,
  INGEST_BURST_PER_AUTHOR: 1,
  INGEST_RATE_MAX_AUTHORS: 1000,
  INGEST_PRODUCE_TIMEOUT_MS: 1000,
  INGEST_IDEMPOTENCY_CACHE_SIZE: 100,
  INGEST_IDEMPOTENCY_TTL_SECONDS: 60,
  INGEST_CORS_ORIGINS: [],
};

function setup(overrides: Partial<IngestAppConfig> = {}) {
  const sent: OutRecord[] = [];
  const app = buildIngestApp({
    config: { ...config, ...overrides },
    producer: { send: async (records) => void sent.push(...records) },
    health: { isHealthy: () => true },
    registry: new Registry(),
    logger: createLogger({ service: 'ingest-test', level: 'silent' }),
  });
  return { app, sent };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const COMMENTS = '/v1/threads/t1/comments';

/** Sends raw bytes to a listening app; resolves with everything it answered until it closed. */
function raw(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(data) : reject(e)));
    socket.on('close', () => resolve(data));
    socket.end(request);
  });
}
const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));

describe('ingest against hostile input', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });
  afterEach(async () => {
    // Nothing a test sends here may reach Kafka, unless the test says so and empties the list.
    expect(s.sent).toEqual([]);
    await s.app.close();
  });
  const inject = (
    app: FastifyInstance,
    method: string,
    url: string,
    payload: string | Buffer,
    headers = {},
  ) => app.inject({ method: method as 'POST', url, headers: { ...JSON_TYPE, ...headers }, payload });

  describe('wrong types', () => {
    const author = { id: 'u1' };
    it.each([
      ['POST', COMMENTS, { author: 'u1', body: 'x' }, 'author'],
      ['POST', COMMENTS, { author: { id: 7 }, body: 'x' }, 'author.id'],
      ['POST', COMMENTS, { author: { id: ['u1'] }, body: 'x' }, 'author.id'],
      ['POST', COMMENTS, { author: { id: 'u1', name: 42 }, body: 'x' }, 'author.name'],
      ['POST', COMMENTS, { author: { id: 'u1', name: '' }, body: 'x' }, 'author.name'],
      ['POST', COMMENTS, { author, body: ['x'] }, 'body'],
      ['POST', COMMENTS, { author, body: { text: 'x' } }, 'body'],
      ['POST', COMMENTS, { author, body: null }, 'body'],
      ['POST', COMMENTS, { author, body: true }, 'body'],
      ['POST', COMMENTS, { author, body: 'x', parentId: 12 }, 'parentId'],
      ['POST', COMMENTS, { author: { id: 'u1', role: 'admin' }, body: 'x' }, 'author.role'],
      ['POST', `${COMMENTS}/c1/votes`, { userId: 'u1', value: '1' }, 'value'],
      ['POST', `${COMMENTS}/c1/votes`, { userId: 'u1', value: true }, 'value'],
      ['POST', `${COMMENTS}/c1/votes`, { userId: 'u1', value: 1.5 }, 'value'],
      ['POST', `${COMMENTS}/c1/votes`, { userId: null, value: 1 }, 'userId'],
      ['PATCH', `${COMMENTS}/c1`, { body: 12, editorId: 'u1' }, 'body'],
      ['PATCH', `${COMMENTS}/c1`, { body: 'x', editorId: {} }, 'editorId'],
      ['DELETE', `${COMMENTS}/c1`, { deletedBy: 5 }, 'deletedBy'],
      ['POST', `${COMMENTS}/c1/approve`, { moderatorId: ['mia'] }, 'moderatorId'],
      ['POST', `${COMMENTS}/c1/reject`, { moderatorId: 'mia', reason: { why: 'x' } }, 'reason'],
      ['PUT', '/v1/users/u1', { name: 42 }, 'name'],
      ['PUT', '/v1/users/u1', { name: 'Ada', avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
      ['PUT', '/v1/users/u1', { name: 'Ada', avatarUrl: ['https://a.example/a.png'] }, 'avatarUrl'],
      ['PUT', '/v1/threads/t1', { forumId: 'f', closed: 'yes' }, 'closed'],
      ['PUT', '/v1/threads/t1', { forumId: 'f', moderation: 'none' }, 'moderation'],
      ['PUT', '/v1/threads/t1', { forumId: { $ne: null } }, 'forumId'],
    ])('%s %s %j: 400 naming %s', async (method, url, body, field) => {
      const res = await inject(s.app, method, url, JSON.stringify(body));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'invalid_request', message: expect.stringContaining(field), field },
      });
    });

    it.each([
      ['a number', '42'],
      ['a string', '"hello"'],
      ['an array', '[{"author":{"id":"u1"},"body":"x"}]'],
      ['null', 'null'],
      ['a number too big for a double', '{"author":{"id":"u1"},"body":"x","parentId":1e400}'],
      [
        'a 5,000 deep array in a field',
        `{"author":{"id":"u1"},"body":"x","parentId":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      ],
      [
        'constructor.prototype',
        '{"author":{"id":"u1"},"body":"x","constructor":{"prototype":{"polluted":1}}}',
      ],
    ])('400 for a body that is %s', async (_what, payload) => {
      const res = await inject(s.app, 'POST', COMMENTS, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('oversize', () => {
    it('413 for a body over the limit, whatever it holds', async () => {
      for (const payload of [
        JSON.stringify({ author: { id: 'u1' }, body: 'x'.repeat(20_000) }),
        `{"author":{"id":"u1"},"body":"x","parentId":${'['.repeat(9000)}${']'.repeat(9000)}}`,
        Buffer.alloc(1024 * 1024, 0xff),
      ]) {
        const res = await inject(s.app, 'POST', COMMENTS, payload);
        expect(res.statusCode).toBe(413);
        expect(res.json().error.code).toBe('payload_too_large');
      }
    });

    it('413 for a chunked body without Content-Length that grows past the limit', async () => {
      await s.app.listen({ port: 0, host: '127.0.0.1' });
      const chunk = 'a'.repeat(8000);
      const chunks = Array.from({ length: 4 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
      const response = await raw(
        (s.app.server.address() as { port: number }).port,
        `POST ${COMMENTS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
      );
      expect(statusOf(response)).toBe(413);
    });

    it('400 for an id longer than 128 characters, 404 for a path past the router limit', async () => {
      const long = await inject(s.app, 'POST', `/v1/threads/${'t'.repeat(129)}/comments`, '{}');
      expect(long.statusCode).toBe(400);
      expect(long.json().error.field).toBe('threadId');
      const huge = await inject(s.app, 'POST', `/v1/threads/${'t'.repeat(10_000)}/comments`, '{}');
      expect(huge.statusCode).toBeGreaterThanOrEqual(400);
      expect(huge.statusCode).toBeLessThan(500);
      expect(huge.json().error.code).toEqual(expect.any(String));
    });
  });

  describe('bytes that are not UTF-8', () => {
    const wrap = (bytes: number[]) =>
      Buffer.concat([Buffer.from('{"author":{"id":"u1"},"body":"'), Buffer.from(bytes), Buffer.from('"}')]);
    it.each([
      ['Latin-1 é', [0xe9]],
      ['an overlong "/"', [0xc0, 0xaf]],
      ['an overlong NUL', [0xc0, 0x80]],
      ['a UTF-16 surrogate half encoded as UTF-8', [0xed, 0xa0, 0x80]],
      ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a truncated sequence', [0xe2, 0x82]],
      ['a lone continuation byte', [0x80]],
      ['0xFF', [0xff]],
      ['a 5-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ])('400 invalid_utf8 for %s', async (_what, bytes) => {
      const res = await inject(s.app, 'POST', COMMENTS, wrap(bytes));
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_utf8');
    });

    it('415 for a body declared UTF-16 or UTF-7, 400 for UTF-16 sent as JSON', async () => {
      const utf16 = Buffer.from(`\ufeff${JSON.stringify({ author: { id: 'u1' }, body: 'x' })}`, 'utf16le');
      for (const charset of ['utf-16', 'utf-16le', 'UTF-7', '"latin1"']) {
        const res = await inject(s.app, 'POST', COMMENTS, utf16, {
          'content-type': `application/json; charset=${charset}`,
        });
        expect(res.statusCode).toBe(415);
      }
      const undeclared = await inject(s.app, 'POST', COMMENTS, utf16);
      expect(undeclared.statusCode).toBe(400);
      expect(['invalid_utf8', 'invalid_json']).toContain(undeclared.json().error.code);
    });
  });

  describe('header tricks', () => {
    let port: number;
    beforeEach(async () => {
      await s.app.listen({ port: 0, host: '127.0.0.1' });
      port = (s.app.server.address() as { port: number }).port;
    });
    const body = JSON.stringify({ author: { id: 'u1' }, body: 'x' });
    const request = (headers: string, payload = body) =>
      `POST ${COMMENTS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n${payload}`;

    it.each([
      [
        'Content-Length and Transfer-Encoding together (request smuggling)',
        request(`Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`),
      ],
      ['two different Content-Lengths', request(`Content-Length: ${body.length}\r\nContent-Length: 5\r\n`)],
      ['a Content-Length that is not a number', request('Content-Length: 12abc\r\n')],
      ['a negative Content-Length', request('Content-Length: -1\r\n')],
      ['an unknown Transfer-Encoding', request('Transfer-Encoding: xchunked\r\n')],
      [
        'a folded header line (obs-fold)',
        request(`Content-Length: ${body.length}\r\nX-Note: a\r\n  folded\r\n`),
      ],
      ['a NUL in a header value', request(`Content-Length: ${body.length}\r\nX-Note: a\u0000b\r\n`)],
      ['a header name with a space', request(`Content-Length: ${body.length}\r\nX Note: a\r\n`)],
      [
        'a bare LF line ending',
        `POST ${COMMENTS} HTTP/1.1\nHost: x\nContent-Length: ${body.length}\n\n${body}`,
      ],
      ['a malformed chunk', request('Transfer-Encoding: chunked\r\n', 'zz\r\nxx\r\n0\r\n\r\n')],
    ])('4xx and a closed connection for %s', async (_what, req) => {
      const response = await raw(port, req);
      expect(statusOf(response)).toBeGreaterThanOrEqual(400);
      expect(statusOf(response)).toBeLessThan(500);
      expect(bodyOf(response)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    });

    it('400 and a closed connection for a request without Host (answered by Node itself, empty body)', async () => {
      const response = await raw(
        port,
        `POST ${COMMENTS} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      expect(statusOf(response)).toBe(400);
      expect(response).toContain('Connection: close\r\n');
    });

    it('431 for headers over 16 KB', async () => {
      const response = await raw(
        port,
        request(`Content-Length: ${body.length}\r\nX-Big: ${'a'.repeat(20_000)}\r\n`),
      );
      expect(statusOf(response)).toBe(431);
      expect(bodyOf(response).error.code).toBe('headers_too_large');
    });

    it.each([
      ['text/plain', 415],
      ['application/jsonp', 415],
      ['application/x-www-form-urlencoded', 415],
      ['multipart/form-data; boundary=x', 415],
      ['application/json; charset=utf-7', 415],
    ])('Content-Type %s: %s', async (contentType, status) => {
      const res = await inject(s.app, 'POST', COMMENTS, body, { 'content-type': contentType });
      expect(res.statusCode).toBe(status);
    });

    it('a body without Content-Type is refused', async () => {
      const res = await s.app.inject({
        method: 'POST',
        url: COMMENTS,
        payload: body,
        headers: { 'content-type': '' },
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    });

    it('a gzip body is not inflated: 4xx', async () => {
      const res = await inject(s.app, 'POST', COMMENTS, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe]), {
        'content-encoding': 'gzip',
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    });

    it.each([
      ['a path traversal', '/v1/threads/..%2F..%2Fadmin/comments', 'threadId'],
      ['a NUL', '/v1/threads/t1%00/comments', 'threadId'],
      ['a double-encoded dot', '/v1/threads/%252e%252e/comments', 'threadId'],
      ['a newline', '/v1/threads/t1%0d%0aX-Injected:%201/comments', 'threadId'],
      ['an encoded slash in the comment id', '/v1/threads/t1/comments/a%2Fb/votes', 'id'],
    ])('400 for %s in a path id', async (_what, url, field) => {
      const res = await inject(
        s.app,
        'POST',
        url,
        JSON.stringify({ userId: 'u1', value: 1, author: { id: 'u1' }, body: 'x' }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe(field);
    });

    it('400 for an Idempotency-Key with characters outside printable ASCII', async () => {
      for (const key of ['k\u00e9y', 'k\tey', '']) {
        const res = await inject(s.app, 'POST', COMMENTS, body, { 'idempotency-key': key });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.field).toBe('Idempotency-Key');
      }
    });

    it('ignores method-override headers and a forged or oversize trace context', async () => {
      const res = await inject(s.app, 'POST', COMMENTS, body, {
        'x-http-method-override': 'DELETE',
        'x-method-override': 'DELETE',
        traceparent: '00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01;x=1',
        tracestate: 'a=1'.padEnd(2000, 'x'),
      });
      expect(res.statusCode).toBe(202);
      const [record] = s.sent.splice(0);
      expect(JSON.parse(String(record!.value)).type).toBe('comment.created');
      expect(record!.headers![HEADERS.traceparent]).toBeUndefined();
      expect(record!.headers![HEADERS.tracestate]).toBeUndefined();
    });
  });

  describe('API keys', () => {
    it('401 for a duplicated, padded, lower-case-prefixed or partial key', async () => {
      const keyed = setup({ INGEST_API_KEYS: keys('k-secret-1') });
      const body = JSON.stringify({ author: { id: 'u1' }, body: 'x' });
      for (const headers of [
        { 'x-api-key': 'k-secret-1, k-secret-1' },
        { 'x-api-key': 'k-secret-' },
        { 'x-api-key': 'k-secret-1x' },
        { 'x-api-key': ' k-secret-1' },
        { authorization: 'Bearer k-secret-1 extra' },
        { authorization: 'Basic k-secret-1' },
        { authorization: 'k-secret-1' },
      ]) {
        const res = await inject(keyed.app, 'POST', COMMENTS, body, headers);
        expect([headers, res.statusCode]).toEqual([headers, 401]);
      }
      expect(keyed.sent).toEqual([]);
      await keyed.app.close();
    });
  });
});
