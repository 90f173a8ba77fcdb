import {
  CommentEvent,
  HEADERS,
  SCHEMA_IDS,
  TOPICS,
  ThreadInfo,
  UserProfile,
  decodeCommentEvent,
  validate,
} from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { apiKeyList } from './api-keys';
import { buildIngestApp, type IngestAppConfig, type IngestAppDeps } from './build-ingest-app';

const keys = (list: string) => apiKeyList('').parse(list);

/** Stands in for the Kafka producer: records what was sent; `fail` makes the next sends reject. */
function recorder() {
  const sent: OutRecord[] = [];
  const r = {
    sent,
    mode: 'ok' as 'ok' | 'fail' | 'hang',
    async send(records: OutRecord[]) {
      if (r.mode === 'fail') throw new Error('broker said no');
      if (r.mode === 'hang') return new Promise<void>(() => undefined);
      sent.push(...records);
    },
  };
  return r;
}

const baseConfig: IngestAppConfig = {
  INGEST_MAX_BODY_BYTES: 16_384,
  INGEST_API_KEYS: [],
  INGEST_ALLOW_ANONYMOUS: true,
  INGEST_PRODUCE_QUEUE_BYTES: 1_048_576,
  INGEST_CORS_ORIGINS: [],
  INGEST_RATE_PER_AUTHOR: 20,
  INGEST_BURST_PER_AUTHOR: 40,
  INGEST_RATE_MAX_AUTHORS: 1000,
  INGEST_PRODUCE_TIMEOUT_MS: 100,
  INGEST_IDEMPOTENCY_CACHE_SIZE: 100,
  INGEST_IDEMPOTENCY_TTL_SECONDS: 60,
};

function setup(config: Partial<IngestAppConfig> = {}) {
  return setupWith({ config });
}

function setupWith(opts: { config?: Partial<IngestAppConfig>; readiness?: IngestAppDeps['readiness'] }) {
  const config = opts.config ?? {};
  const producer = recorder();
  const health = { healthy: true, isHealthy: () => health.healthy };
  const registry = new Registry();
  const t = { now: Date.parse('2030-01-01T00:00:00Z') };
  const app = buildIngestApp({
    config: { ...baseConfig, ...config },
    producer,
    health,
    registry,
    logger: createLogger({ service: 'ingest-test', level: 'silent' }),
    now: () => t.now,
    readiness: opts.readiness,
  });
  return { app, producer, health, registry, t };
}

const json = { 'content-type': 'application/json' };
const created = { author: { id: 'u1', name: 'Ada' }, body: 'hello **world**' };

function post(app: FastifyInstance, url: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, headers: { ...json, ...headers }, payload: JSON.stringify(body) });
}

function valueOf(r: OutRecord): unknown {
  return JSON.parse(String(r.value));
}

describe('ingest HTTP API', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });
  afterEach(() => s.app.close());

  describe('comment writes', () => {
    it('answers 202 for a new comment only with what Kafka acknowledged, keyed by thread', async () => {
      const res = await post(
        s.app,
        '/v1/threads/t1/comments',
        { ...created, parentId: 'c0' },
        {
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      );
      expect(res.statusCode).toBe(202);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const answer = res.json();
      expect(answer).toEqual({ id: expect.any(String), threadId: 't1', eventId: expect.any(String) });

      expect(s.producer.sent).toHaveLength(1);
      const record = s.producer.sent[0]!;
      expect(record.topic).toBe(TOPICS.comments);
      expect(record.key).toBe('t1');
      expect(record.headers).toEqual({
        [HEADERS.schemaId]: SCHEMA_IDS.commentsV1,
        [HEADERS.eventId]: answer.eventId,
        [HEADERS.acceptedAt]: String(s.t.now),
        [HEADERS.traceparent]: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
      const decoded = decodeCommentEvent(Buffer.from(String(record.value)), Buffer.from('t1'));
      expect(decoded.ok).toBe(true);
      expect(valueOf(record)).toEqual({
        type: 'comment.created',
        eventId: answer.eventId,
        threadId: 't1',
        commentId: answer.id,
        acceptedAt: '2030-01-01T00:00:00.000Z',
        author: { id: 'u1', name: 'Ada' },
        body: 'hello **world**',
        parentId: 'c0',
      });
    });

    it.each([
      [
        'PATCH',
        '/v1/threads/t1/comments/c9',
        { body: 'edited', editorId: 'u1' },
        { type: 'comment.edited', body: 'edited', editorId: 'u1' },
      ],
      [
        'DELETE',
        '/v1/threads/t1/comments/c9',
        { deletedBy: 'mod1' },
        { type: 'comment.deleted', deletedBy: 'mod1' },
      ],
      [
        'POST',
        '/v1/threads/t1/comments/c9/votes',
        { userId: 'u2', value: -1 },
        { type: 'comment.voted', userId: 'u2', value: -1 },
      ],
    ])('%s %s produces the event', async (method, url, body, expected) => {
      const res = await s.app.inject({
        method: method as 'PATCH' | 'DELETE' | 'POST',
        url,
        ...(body === undefined ? {} : { headers: json, payload: JSON.stringify(body) }),
      });
      expect(res.statusCode).toBe(202);
      const answer = res.json();
      expect(answer).toEqual({ id: 'c9', threadId: 't1', eventId: expect.any(String) });
      const record = s.producer.sent[0]!;
      expect(record.key).toBe('t1');
      const value = valueOf(record);
      expect(validate(CommentEvent, value).ok).toBe(true);
      expect(value).toEqual({
        ...expected,
        eventId: answer.eventId,
        threadId: 't1',
        commentId: 'c9',
        acceptedAt: '2030-01-01T00:00:00.000Z',
      });
    });

    it('gives every write its own ids without an Idempotency-Key', async () => {
      const a = (await post(s.app, '/v1/threads/t1/comments', created)).json();
      const b = (await post(s.app, '/v1/threads/t1/comments', created)).json();
      expect(a.id).not.toBe(b.id);
      expect(a.eventId).not.toBe(b.eventId);
      expect(s.producer.sent).toHaveLength(2);
    });
  });

  describe('tables', () => {
    it('PUT /v1/users/:id stores the profile keyed by id', async () => {
      const res = await s.app.inject({
        method: 'PUT',
        url: '/v1/users/u1',
        headers: json,
        payload: JSON.stringify({ name: 'Ada', avatarUrl: 'https://example.com/a.png' }),
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ id: 'u1', name: 'Ada', avatarUrl: 'https://example.com/a.png' });
      const record = s.producer.sent[0]!;
      expect(record).toMatchObject({ topic: TOPICS.users, key: 'u1' });
      expect(record.headers?.[HEADERS.schemaId]).toBe(SCHEMA_IDS.usersV1);
      expect(validate(UserProfile, valueOf(record)).ok).toBe(true);
    });

    it('PUT /v1/threads/:id fills the defaults', async () => {
      const res = await s.app.inject({
        method: 'PUT',
        url: '/v1/threads/t1',
        headers: json,
        payload: '{"forumId":"f1"}',
      });
      expect(res.statusCode).toBe(202);
      const thread = { id: 't1', forumId: 'f1', moderation: 'open', closed: false };
      expect(res.json()).toEqual(thread);
      const record = s.producer.sent[0]!;
      expect(record).toMatchObject({ topic: TOPICS.threads, key: 't1' });
      expect(valueOf(record)).toEqual(thread);
      expect(validate(ThreadInfo, valueOf(record)).ok).toBe(true);
    });

    it('rejects an avatar that is not an http(s) URL', async () => {
      const res = await s.app.inject({
        method: 'PUT',
        url: '/v1/users/u1',
        headers: json,
        payload: '{"name":"A","avatarUrl":"javascript:x"}',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('avatarUrl');
    });
  });

  describe('bad requests', () => {
    it.each([
      ['a malformed author id', { author: { id: 'not an id' }, body: 'x' }, 'author.id'],
      ['a missing author id', { author: {}, body: 'x' }, 'author.id'],
      ['a missing body', { author: { id: 'u1' } }, 'body'],
      ['an empty body', { author: { id: 'u1' }, body: '' }, 'body'],
      ['a body over 10,000 characters', { author: { id: 'u1' }, body: 'x'.repeat(10_001) }, 'body'],
      ['an unknown field', { author: { id: 'u1' }, body: 'x', extra: true }, 'extra'],
      ['a malformed parentId', { author: { id: 'u1' }, body: 'x', parentId: 'a b' }, 'parentId'],
    ])('400 for %s, naming the field', async (_what, body, field) => {
      const res = await post(s.app, '/v1/threads/t1/comments', body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'invalid_request', message: expect.stringContaining(field), field },
      });
      expect(s.producer.sent).toHaveLength(0);
    });

    it.each(['__proto__', 'constructor'])('400 for a %s key rather than a polluted object', async (key) => {
      const payload = `{"author":{"id":"u1"},"body":"x","${key}":{"polluted":true}}`;
      const res = await s.app.inject({
        method: 'POST',
        url: '/v1/threads/t1/comments',
        headers: json,
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe(key);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('400 for a vote that is neither 1 nor -1', async () => {
      const res = await post(s.app, '/v1/threads/t1/comments/c1/votes', { userId: 'u1', value: 2 });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('value');
    });

    it('400 naming a bad path id', async () => {
      const res = await post(s.app, `/v1/threads/${'t'.repeat(129)}/comments`, created);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('threadId');
      const bad = await s.app.inject({
        method: 'PATCH',
        url: '/v1/threads/t1/comments/a%20b',
        headers: json,
        payload: '{"body":"x"}',
      });
      expect(bad.json().error.field).toBe('id');
    });

    it('400 when the body is not an object', async () => {
      const res = await post(s.app, '/v1/threads/t1/comments', [1, 2]);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
      const none = await s.app.inject({ method: 'POST', url: '/v1/threads/t1/comments' });
      expect(none.statusCode).toBe(400);
    });

    it('400 invalid_json for a body that is not JSON', async () => {
      const res = await s.app.inject({
        method: 'POST',
        url: '/v1/threads/t1/comments',
        headers: json,
        payload: '{"author":',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_json');
    });

    it('400 for a body that is not UTF-8', async () => {
      const payload = Buffer.concat([
        Buffer.from('{"author":{"id":"u1"},"body":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);
      const res = await s.app.inject({
        method: 'POST',
        url: '/v1/threads/t1/comments',
        headers: json,
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_utf8');
    });

    it('413 for a body over INGEST_MAX_BODY_BYTES', async () => {
      const small = setup({ INGEST_MAX_BODY_BYTES: 1024 });
      const res = await post(small.app, '/v1/threads/t1/comments', { ...created, body: 'x'.repeat(2000) });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('payload_too_large');
      await small.app.close();
    });

    it.each([
      ['text/plain', '{}'],
      ['application/x-www-form-urlencoded', 'a=b'],
      ['application/json; charset=iso-8859-1', '{}'],
    ])('415 for %s', async (contentType, payload) => {
      const res = await s.app.inject({
        method: 'POST',
        url: '/v1/threads/t1/comments',
        headers: { 'content-type': contentType },
        payload,
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    });

    it('accepts charset=utf-8', async () => {
      const res = await post(s.app, '/v1/threads/t1/comments', created, {
        'content-type': 'application/json; charset=UTF-8',
      });
      expect(res.statusCode).toBe(202);
    });

    it('404 JSON for unknown routes and methods', async () => {
      for (const [method, url] of [
        ['GET', '/nope'],
        ['GET', '/v1/threads/t1/comments'],
      ] as const) {
        const res = await s.app.inject({ method, url });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
      }
    });

    it('400 for an Idempotency-Key longer than 128 characters', async () => {
      const res = await post(s.app, '/v1/threads/t1/comments', created, {
        'idempotency-key': 'k'.repeat(129),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('Idempotency-Key');
    });
  });

  describe('API keys', () => {
    it('401 without a valid key when keys are configured', async () => {
      const locked = setup({ INGEST_API_KEYS: keys('k1,k2') });
      const none = await post(locked.app, '/v1/threads/t1/comments', created);
      expect(none.statusCode).toBe(401);
      expect(none.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      expect(
        (await post(locked.app, '/v1/threads/t1/comments', created, { 'x-api-key': 'k3' })).statusCode,
      ).toBe(401);
      expect(
        (await post(locked.app, '/v1/threads/t1/comments', created, { 'x-api-key': 'k2' })).statusCode,
      ).toBe(202);
      expect(
        (await post(locked.app, '/v1/threads/t1/comments', created, { authorization: 'Bearer k1' }))
          .statusCode,
      ).toBe(202);
      expect(locked.producer.sent).toHaveLength(2);
      await locked.app.close();
    });

    it('refuses to build without keys unless INGEST_ALLOW_ANONYMOUS is on: it no longer fails open', () => {
      expect(() => setup({ INGEST_ALLOW_ANONYMOUS: false })).toThrow(
        /INGEST_API_KEYS is empty.*INGEST_ALLOW_ANONYMOUS/,
      );
    });

    it('keeps each caller to its own Idempotency-Keys: the same key from another caller is another write', async () => {
      const two = setup({ INGEST_API_KEYS: keys('app-a:secret-a,app-b:secret-b') });
      const as = (secret: string) => ({ 'x-api-key': secret, 'idempotency-key': 'order-1' });
      const a = await post(two.app, '/v1/threads/t1/comments', created, as('secret-a'));
      const b = await post(two.app, '/v1/threads/t1/comments', created, as('secret-b'));
      const bOther = await post(
        two.app,
        '/v1/threads/t1/comments',
        { ...created, body: 'another body' },
        { ...as('secret-b'), 'idempotency-key': 'order-2' },
      );
      const aAgain = await post(two.app, '/v1/threads/t1/comments', created, as('secret-a'));
      expect([a.statusCode, b.statusCode, bOther.statusCode, aAgain.statusCode]).toEqual([
        202, 202, 202, 202,
      ]);
      // B neither sees A's answer nor gets A's ids (downstream would drop B's event as A's duplicate).
      expect(b.json().id).not.toBe(a.json().id);
      expect(b.json().eventId).not.toBe(a.json().eventId);
      expect(aAgain.json()).toEqual(a.json());
      expect(two.producer.sent).toHaveLength(3);
      // Nor does B learn which keys A used: A's key with another body is no 422 for B.
      const aPrivate = { 'idempotency-key': 'a-private' };
      await post(two.app, '/v1/threads/t1/comments', created, { 'x-api-key': 'secret-a', ...aPrivate });
      const probe = await post(
        two.app,
        '/v1/threads/t1/comments',
        { ...created, body: 'probe' },
        { 'x-api-key': 'secret-b', ...aPrivate },
      );
      expect(probe.statusCode).toBe(202);
      await two.app.close();
    });
  });

  describe('moderation (asModerator)', () => {
    const edit = (app: FastifyInstance, headers: Record<string, string>, body: object) =>
      app.inject({
        method: 'PATCH',
        url: '/v1/threads/t1/comments/c9',
        headers: { ...json, ...headers },
        payload: JSON.stringify({ body: 'edited', editorId: 'mod-1', ...body }),
      });
    const del = (app: FastifyInstance, headers: Record<string, string>, body: object) =>
      app.inject({
        method: 'DELETE',
        url: '/v1/threads/t1/comments/c9',
        headers: { ...json, ...headers },
        payload: JSON.stringify({ deletedBy: 'mod-1', ...body }),
      });

    it('puts asModerator in the event for a key granted moderation', async () => {
      const m = setup({ INGEST_API_KEYS: keys('app:app-secret,mods:mod-secret:moderator') });
      const headers = { 'x-api-key': 'mod-secret' };
      expect((await edit(m.app, headers, { asModerator: true })).statusCode).toBe(202);
      expect((await del(m.app, headers, { asModerator: true })).statusCode).toBe(202);
      expect(m.producer.sent.map(valueOf)).toEqual([
        expect.objectContaining({ type: 'comment.edited', editorId: 'mod-1', asModerator: true }),
        expect.objectContaining({ type: 'comment.deleted', deletedBy: 'mod-1', asModerator: true }),
      ]);
      await m.app.close();
    });

    it('403 for asModerator from a key without moderation, or from anonymous callers; plain edits pass', async () => {
      const m = setup({ INGEST_API_KEYS: keys('app:app-secret,mods:mod-secret:moderator') });
      const app = { 'x-api-key': 'app-secret' };
      for (const res of [
        await edit(m.app, app, { asModerator: true }),
        await del(m.app, app, { asModerator: true }),
        await edit(s.app, {}, { asModerator: true }),
        await del(s.app, {}, { asModerator: true }),
      ]) {
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({
          error: { code: 'forbidden', message: expect.stringContaining('moderation'), field: 'asModerator' },
        });
      }
      expect(m.producer.sent).toEqual([]);
      expect(s.producer.sent).toEqual([]);
      expect((await edit(m.app, app, {})).statusCode).toBe(202);
      expect(valueOf(m.producer.sent[0]!)).not.toHaveProperty('asModerator');
      await m.app.close();
    });
  });

  describe('approve and reject (issue 16)', () => {
    const decide = (
      app: FastifyInstance,
      verdict: 'approve' | 'reject',
      body: unknown,
      headers: Record<string, string> = {},
      url = `/v1/threads/t1/comments/c9/${verdict}`,
    ) => post(app, url, body, headers);
    const keyed = () => setup({ INGEST_API_KEYS: keys('app:app-secret,mods:mod-secret:moderator') });

    it('produces comment.approved and comment.rejected for a key granted moderation', async () => {
      const m = keyed();
      const mod = { 'x-api-key': 'mod-secret' };
      const approved = await decide(m.app, 'approve', { moderatorId: 'mia' }, mod);
      expect(approved.statusCode).toBe(202);
      expect(approved.json()).toEqual({ id: 'c9', threadId: 't1', eventId: expect.any(String) });
      const rejected = await decide(m.app, 'reject', { moderatorId: 'mia', reason: 'off topic' }, mod);
      expect(rejected.statusCode).toBe(202);
      expect(m.producer.sent.map((r) => [r.key, valueOf(r)])).toEqual([
        [
          't1',
          {
            type: 'comment.approved',
            eventId: approved.json().eventId,
            threadId: 't1',
            commentId: 'c9',
            acceptedAt: '2030-01-01T00:00:00.000Z',
            moderatorId: 'mia',
          },
        ],
        [
          't1',
          expect.objectContaining({ type: 'comment.rejected', moderatorId: 'mia', reason: 'off topic' }),
        ],
      ]);
      await m.app.close();
    });

    it('403 for a key without moderation; 401 without a key', async () => {
      const m = keyed();
      for (const verdict of ['approve', 'reject'] as const) {
        const res = await decide(m.app, verdict, { moderatorId: 'mia' }, { 'x-api-key': 'app-secret' });
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({
          error: { code: 'forbidden', message: expect.stringContaining('granted moderation') },
        });
        expect((await decide(m.app, verdict, { moderatorId: 'mia' })).statusCode).toBe(401);
      }
      expect(m.producer.sent).toEqual([]);
      await m.app.close();
    });

    it('lets the anonymous caller decide on a local run without keys (the demo moderator view)', async () => {
      expect((await decide(s.app, 'approve', { moderatorId: 'mia' })).statusCode).toBe(202);
      expect((await decide(s.app, 'reject', { moderatorId: 'mia' })).statusCode).toBe(202);
      expect(s.producer.sent.map((r) => (valueOf(r) as { type: string }).type)).toEqual([
        'comment.approved',
        'comment.rejected',
      ]);
    });

    it('400 for a bad body or path, naming the field', async () => {
      const cases: [string, 'approve' | 'reject', unknown, string?][] = [
        ['moderatorId', 'approve', {}],
        ['moderatorId', 'approve', { moderatorId: 'no spaces' }],
        ['extra', 'approve', { moderatorId: 'mia', extra: 1 }],
        ['reason', 'reject', { moderatorId: 'mia', reason: '' }],
        ['reason', 'reject', { moderatorId: 'mia', reason: 'x'.repeat(501) }],
        ['id', 'approve', { moderatorId: 'mia' }, '/v1/threads/t1/comments/bad%20id/approve'],
        ['threadId', 'reject', { moderatorId: 'mia' }, '/v1/threads/bad%20id/comments/c9/reject'],
      ];
      for (const [field, verdict, body, url] of cases) {
        const res = await decide(s.app, verdict, body, {}, url);
        expect([field, res.statusCode]).toEqual([field, 400]);
        expect(res.json().error).toMatchObject({ field: expect.stringContaining(field) });
      }
      expect(s.producer.sent).toEqual([]);
    });

    it('rate-limits a moderator’s decisions like any user’s writes, and answers a retry once', async () => {
      const limited = setup({ INGEST_RATE_PER_AUTHOR: 1, INGEST_BURST_PER_AUTHOR: 2 });
      for (let i = 0; i < 2; i++) {
        expect((await decide(limited.app, 'approve', { moderatorId: 'mia' })).statusCode).toBe(202);
      }
      const res = await decide(limited.app, 'reject', { moderatorId: 'mia' });
      expect(res.statusCode).toBe(429);
      expect(res.json().error.code).toBe('rate_limited');
      expect((await decide(limited.app, 'approve', { moderatorId: 'moe' })).statusCode).toBe(202);
      await limited.app.close();

      const headers = { 'idempotency-key': 'decide-1' };
      const first = await decide(s.app, 'approve', { moderatorId: 'mia' }, headers);
      const again = await decide(s.app, 'approve', { moderatorId: 'mia' }, headers);
      expect(again.json()).toEqual(first.json());
      expect(s.producer.sent).toHaveLength(1);
    });
  });

  describe('CORS', () => {
    const page = 'http://localhost:8000';
    const preflight = (app: FastifyInstance, origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/v1/threads/t1/comments',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, idempotency-key',
        },
      });

    it('answers a preflight from an allowed origin before the API-key check, and marks its answers', async () => {
      const open = setup({ INGEST_CORS_ORIGINS: [page], INGEST_API_KEYS: keys('k1') });
      const pre = await preflight(open.app, page);
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(page);
      expect(pre.headers['access-control-allow-methods']).toContain('POST');
      expect(pre.headers['access-control-allow-headers']).toContain('idempotency-key');
      expect(pre.headers.vary).toBe('Origin');
      const res = await post(open.app, '/v1/threads/t1/comments', created, {
        origin: page,
        'x-api-key': 'k1',
      });
      expect(res.statusCode).toBe(202);
      expect(res.headers['access-control-allow-origin']).toBe(page);
      // Errors carry the header too, so the page can read why.
      const refused = await post(open.app, '/v1/threads/t1/comments', created, { origin: page });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['access-control-allow-origin']).toBe(page);
      await open.app.close();
    });

    it('gives other origins no CORS headers, and refuses their preflight', async () => {
      const open = setup({ INGEST_CORS_ORIGINS: [page] });
      const pre = await preflight(open.app, 'http://evil.example');
      expect(pre.statusCode).toBe(403);
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      expect(pre.json().error.code).toBe('forbidden');
      const res = await post(open.app, '/v1/threads/t1/comments', created, { origin: 'http://evil.example' });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      await open.app.close();
    });

    it('is off by default, and * allows any origin', async () => {
      const closed = setup();
      expect((await preflight(closed.app, page)).headers['access-control-allow-origin']).toBeUndefined();
      await closed.app.close();
      const any = setup({ INGEST_CORS_ORIGINS: ['*'] });
      expect((await preflight(any.app, 'http://x.example')).headers['access-control-allow-origin']).toBe('*');
      await any.app.close();
    });
  });

  describe('rate limit', () => {
    it('429 with Retry-After once an author used the burst; others are unaffected', async () => {
      const limited = setup({ INGEST_RATE_PER_AUTHOR: 1, INGEST_BURST_PER_AUTHOR: 2 });
      expect((await post(limited.app, '/v1/threads/t1/comments', created)).statusCode).toBe(202);
      expect((await post(limited.app, '/v1/threads/t1/comments', created)).statusCode).toBe(202);
      const res = await post(limited.app, '/v1/threads/t1/comments', created);
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json().error.code).toBe('rate_limited');
      const other = await post(limited.app, '/v1/threads/t1/comments', { ...created, author: { id: 'u2' } });
      expect(other.statusCode).toBe(202);
      limited.t.now += 1000;
      expect((await post(limited.app, '/v1/threads/t1/comments', created)).statusCode).toBe(202);
      await limited.app.close();
    });
  });

  describe('idempotency', () => {
    it('answers a retry with the first answer and produces once', async () => {
      const headers = { 'idempotency-key': 'retry-1' };
      const first = await post(s.app, '/v1/threads/t1/comments', created, headers);
      const second = await post(s.app, '/v1/threads/t1/comments', created, headers);
      expect(first.statusCode).toBe(202);
      expect(second.statusCode).toBe(202);
      expect(second.json()).toEqual(first.json());
      expect(s.producer.sent).toHaveLength(1);
    });

    it('answers concurrent retries once', async () => {
      const headers = { 'idempotency-key': 'together' };
      const [a, b] = await Promise.all([
        post(s.app, '/v1/threads/t1/comments', created, headers),
        post(s.app, '/v1/threads/t1/comments', created, headers),
      ]);
      expect(a.json()).toEqual(b.json());
      expect(s.producer.sent).toHaveLength(1);
    });

    it('derives the same ids on another pod (or after a restart)', async () => {
      const headers = { 'idempotency-key': 'k-77' };
      const other = setup();
      const here = (await post(s.app, '/v1/threads/t1/comments', created, headers)).json();
      const there = (await post(other.app, '/v1/threads/t1/comments', created, headers)).json();
      expect(there).toEqual(here);
      const elsewhere = (await post(other.app, '/v1/threads/t2/comments', created, headers)).json();
      expect(elsewhere.id).not.toBe(here.id);
      await other.app.close();
    });

    it('422 when the same key comes with another body', async () => {
      const headers = { 'idempotency-key': 'k1' };
      expect((await post(s.app, '/v1/threads/t1/comments', created, headers)).statusCode).toBe(202);
      const res = await post(s.app, '/v1/threads/t1/comments', { ...created, body: 'changed' }, headers);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('idempotency_key_reused');
      expect(s.producer.sent).toHaveLength(1);
    });

    it('produces again (with the same ids) when the first attempt failed', async () => {
      const headers = { 'idempotency-key': 'k2' };
      s.producer.mode = 'fail';
      expect((await post(s.app, '/v1/threads/t1/comments', created, headers)).statusCode).toBe(503);
      s.producer.mode = 'ok';
      const res = await post(s.app, '/v1/threads/t1/comments', created, headers);
      expect(res.statusCode).toBe(202);
      expect(s.producer.sent).toHaveLength(1);
    });
  });

  describe('Kafka away', () => {
    it('reports not ready (readiness check produce) while produces fail, and ready once one succeeds', async () => {
      const checks = new Map<string, () => boolean>();
      const r = setupWith({ readiness: { add: (name, check) => void checks.set(name, check) } });
      const ready = checks.get('produce')!;
      expect(ready()).toBe(true);
      r.producer.mode = 'fail';
      expect((await post(r.app, '/v1/threads/t1/comments', created)).statusCode).toBe(503);
      expect(ready()).toBe(false);
      r.producer.mode = 'ok';
      expect((await post(r.app, '/v1/threads/t1/comments', created)).statusCode).toBe(202);
      expect(ready()).toBe(true);
      await r.app.close();
    });

    it('503 kafka_unavailable with Retry-After when the producer fails', async () => {
      s.producer.mode = 'fail';
      const res = await post(s.app, '/v1/threads/t1/comments', created);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json().error.code).toBe('kafka_unavailable');
    });

    it('503 when Kafka does not acknowledge within the timeout', async () => {
      s.producer.mode = 'hang';
      const res = await post(s.app, '/v1/threads/t1/comments', created);
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('kafka_unavailable');
    });

    it('503 at once while the health watcher reports Kafka unreachable', async () => {
      s.health.healthy = false;
      const res = await s.app.inject({
        method: 'PUT',
        url: '/v1/threads/t1',
        headers: json,
        payload: '{"forumId":"f1"}',
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(s.producer.sent).toHaveLength(0);
    });
  });

  it('lets in-flight writes finish when closing', async () => {
    let release: (() => void) | undefined;
    const held = {
      send: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    };
    const app = buildIngestApp({
      config: { ...baseConfig, INGEST_PRODUCE_TIMEOUT_MS: 5000 },
      producer: held,
      health: { isHealthy: () => true },
      registry: new Registry(),
      logger: createLogger({ service: 'ingest-test', level: 'silent' }),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/v1/threads/t1/comments`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(created),
    });
    while (!release) await new Promise((r) => setTimeout(r, 5));
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    release();
    expect((await inFlight).status).toBe(202);
    await closing;
    expect(closed).toBe(true);
  });

  it('counts requests by route, status and caller', async () => {
    await post(s.app, '/v1/threads/t1/comments', created);
    await post(s.app, '/v1/threads/t1/comments', {});
    await s.app.inject({ method: 'GET', url: '/nope' });
    const text = await s.registry.metrics();
    expect(text).toContain(
      'threadcast_ingest_requests_total{route="POST /v1/threads/:threadId/comments",status="202",caller="anonymous"} 1',
    );
    expect(text).toContain(
      'threadcast_ingest_requests_total{route="POST /v1/threads/:threadId/comments",status="400",caller="anonymous"} 1',
    );
    expect(text).toContain(
      'threadcast_ingest_requests_total{route="unmatched",status="404",caller="anonymous"} 1',
    );
    expect(text).toContain('threadcast_ingest_produce_seconds_count{outcome="ok"} 1');
  });
});
