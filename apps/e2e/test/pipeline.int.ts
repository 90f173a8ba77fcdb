import { DLQ_HEADERS, TOPICS } from '@threadcast/contracts';
import { createKafka, createKeyedProducer, readTopic, type InRecord } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { brokers, startPipeline } from './services';
import { TestClient, postJson } from './ws-client';

// The issue-3 acceptance test: four services as separate processes on the real broker, driven
// only through ingest's HTTP API, the gateway's WebSocket protocol, and Kafka for product teams.
const JWT_SECRET = 'pipeline-e2e-secret-pipeline-e2e-secret';

describe('pipeline end to end', () => {
  let p: Awaited<ReturnType<typeof startPipeline>>;
  const run = Math.random().toString(36).slice(2, 8);
  const id = (s: string) => `${s}-${run}`;
  const clients: TestClient[] = [];
  /** Anonymous, or as a user whose token carries `sub` and moderated forums. */
  const connect = async (claims?: { sub: string; mod?: string[] }) => {
    const c = await TestClient.connectAs(p.gatewayUrl, JWT_SECRET, claims);
    clients.push(c);
    return c;
  };
  const post = (path: string, body: unknown, method = 'POST') =>
    postJson(`${p.ingestUrl}${path}`, body, method);

  beforeAll(async () => {
    p = await startPipeline({ gateway: { GATEWAY_JWT_SECRET: JWT_SECRET } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await p?.stop();
  });

  it('delivers a posted comment to every subscriber of its thread, rendered inert, and nowhere else', async () => {
    const thread = id('t-xss');
    const other = id('t-other');
    expect(
      (
        await post(
          `/v1/users/${id('ada')}`,
          { name: 'Ada Lovelace', avatarUrl: 'https://example.test/ada.png' },
          'PUT',
        )
      ).status,
    ).toBe(202);
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    await a.subscribe(`thread:${thread}`);
    await b.subscribe(`thread:${thread}`);
    await c.subscribe(`thread:${other}`);
    // Let enrich see the profile before the comment (tables are eventually consistent).
    await new Promise((r) => setTimeout(r, 1000));

    const body =
      'Hi <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) **bold**';
    const res = await post(`/v1/threads/${thread}/comments`, { author: { id: id('ada') }, body });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ threadId: thread });

    for (const client of [a, b]) {
      const [event] = await client.waitForEvents('the comment', `thread:${thread}`, 1);
      expect(event).toMatchObject({
        type: 'comment.created',
        id: res.body.id,
        threadId: thread,
        author: { id: id('ada'), name: 'Ada Lovelace', avatarUrl: 'https://example.test/ada.png' },
      });
      const html = String(event!.html);
      expect(html).toContain('<strong>bold</strong>');
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<img[^>]*onerror/i);
      expect(html).not.toMatch(/href="javascript:/i);
    }
    const frame = a.frames.find((f) => f.op === 'event');
    expect(typeof frame!.cursor).toBe('string');
    await new Promise((r) => setTimeout(r, 500));
    expect(c.events()).toHaveLength(0);
  });

  it('delivers edits, deletes, and a burst of 50 votes as a few score events with the right total', async () => {
    const thread = id('t-votes');
    const client = await connect();
    await client.subscribe(`thread:${thread}`);
    const bob = id('bob');
    const created = await post(`/v1/threads/${thread}/comments`, {
      author: { id: bob },
      body: 'first',
    });
    expect(created.status).toBe(202);
    const cid = created.body.id as string;
    expect(
      (await post(`/v1/threads/${thread}/comments/${cid}`, { body: 'first, edited', editorId: bob }, 'PATCH'))
        .status,
    ).toBe(202);
    const votes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(`/v1/threads/${thread}/comments/${cid}/votes`, {
          userId: id(`voter${i}`),
          value: i < 40 ? 1 : -1,
        }),
      ),
    );
    expect(votes.every((v) => v.status === 202)).toBe(true);
    await client.waitFor('final score', (f) => f.event?.type === 'comment.score' && f.event.score === 30);
    expect((await post(`/v1/threads/${thread}/comments/${cid}`, { deletedBy: bob }, 'DELETE')).status).toBe(
      202,
    );
    await client.waitFor('delete', (f) => f.event?.type === 'comment.deleted' && f.event.id === cid);

    const events = client.events(`thread:${thread}`);
    expect(events[0]).toMatchObject({ type: 'comment.created', id: cid });
    expect(events.find((e) => e.type === 'comment.edited')).toMatchObject({
      id: cid,
      html: expect.stringContaining('first, edited'),
    });
    const scores = events.filter((e) => e.type === 'comment.score');
    expect(scores.length).toBeGreaterThanOrEqual(1);
    expect(scores.length).toBeLessThanOrEqual(10);
    expect(scores[scores.length - 1]).toMatchObject({ id: cid, score: 30, up: 40, down: 10 });
  });

  it('delivers 1,000 comments to one thread complete and in posting order', async () => {
    const thread = id('t-order');
    const client = await connect();
    await client.subscribe(`thread:${thread}`);
    const ids: string[] = [];
    // Sequential posts define the order; small concurrent windows would not.
    for (let i = 0; i < 1000; i++) {
      const r = await post(`/v1/threads/${thread}/comments`, {
        author: { id: id(`w${i}`) },
        body: `comment ${i}`,
      });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    const events = await client.waitForEvents('1000 comments', `thread:${thread}`, 1000, 60_000);
    expect(events.map((e) => e.id)).toEqual(ids);
  });

  it('routes a premoderated thread only to moderators, and a reply to the parent author', async () => {
    const forum = id('forum');
    const thread = id('t-premod');
    const open = id('t-open');
    expect(
      (await post(`/v1/threads/${thread}`, { forumId: forum, moderation: 'premoderated' }, 'PUT')).status,
    ).toBe(202);
    expect((await post(`/v1/threads/${open}`, { forumId: forum }, 'PUT')).status).toBe(202);
    const [reader, mod, parentAuthor] = await Promise.all([
      connect(),
      connect({ sub: id('mia'), mod: [forum] }),
      connect({ sub: id('carol') }),
    ]);
    await reader.subscribe(`thread:${thread}`);
    await reader.subscribe(`thread:${open}`);
    await mod.subscribe(`mod:${forum}`);
    await parentAuthor.subscribe(`user:${id('carol')}`);
    await new Promise((r) => setTimeout(r, 1000));

    const held = await post(`/v1/threads/${thread}/comments`, {
      author: { id: id('dave') },
      body: 'please approve me',
    });
    await mod.waitFor('held comment', (f) => f.event?.id === held.body.id);
    expect(mod.events().find((e) => e.id === held.body.id)).toMatchObject({
      held: { reason: 'premoderated' },
    });

    const parent = await post(`/v1/threads/${open}/comments`, {
      author: { id: id('carol') },
      body: 'parent',
    });
    await reader.waitFor('parent', (f) => f.event?.id === parent.body.id);
    const reply = await post(`/v1/threads/${open}/comments`, {
      author: { id: id('erin') },
      body: 'a reply',
      parentId: parent.body.id,
    });
    await parentAuthor.waitFor('reply notification', (f) => f.event?.id === reply.body.id);
    expect(parentAuthor.events().find((e) => e.id === reply.body.id)).toMatchObject({
      reason: 'reply',
      parentId: parent.body.id,
    });
    await reader.waitFor('reply in thread', (f) => f.event?.id === reply.body.id);
    expect(reader.events(`thread:${thread}`)).toHaveLength(0);
  });

  it('dead-letters poison records produced straight to comments and delivers the good one after them', async () => {
    const thread = id('t-poison');
    const client = await connect();
    await client.subscribe(`thread:${thread}`);
    const logger = createLogger({ service: 'e2e', level: 'silent' });
    const kafka = createKafka(
      { KAFKA_BROKERS: brokers().split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
      logger,
      'e2e',
    );
    // A 5 MiB poison record is the point: over the default request budget, under the topic's limit.
    const producer = createKeyedProducer(kafka, { maxRequestBytes: 8 * 1024 * 1024 });
    await producer.connect();
    // Disconnected whatever happens: a producer left open keeps Jest from exiting.
    const dead: InRecord[] = [];
    try {
      const good = {
        type: 'comment.created',
        eventId: id('good-event'),
        threadId: thread,
        commentId: id('good'),
        acceptedAt: new Date().toISOString(),
        author: { id: 'team-bot' },
        body: 'produced by a product team',
      };
      await producer.send([
        { topic: TOPICS.comments, key: thread, value: '{"type": "comment.created", nope' },
        { topic: TOPICS.comments, key: thread, value: JSON.stringify({ ...good, body: 42 }) },
        { topic: TOPICS.comments, key: thread, value: Buffer.alloc(5 * 1024 * 1024, 'x') },
        { topic: TOPICS.comments, key: thread, value: JSON.stringify(good) },
      ]);
      await client.waitFor('the good comment', (f) => f.event?.id === good.commentId);

      const reader = await readTopic({
        kafka,
        topic: TOPICS.dlq,
        groupId: id('e2e-dlq'),
        fromBeginning: true,
        logger,
        onRecord: (r) => {
          if (r.key?.toString() === thread) dead.push(r);
        },
      });
      await reader.caughtUp;
      await reader.stop();
    } finally {
      await producer.disconnect();
    }
    expect(dead.map((r) => r.headers[DLQ_HEADERS.code])).toEqual([
      'invalid_json',
      'schema_violation',
      'oversize',
    ]);
    for (const r of dead) {
      expect(r.headers[DLQ_HEADERS.stage]).toBe('enrich');
      expect(r.headers[DLQ_HEADERS.sourceTopic]).toBe(TOPICS.comments);
      expect(r.headers[DLQ_HEADERS.reason]!.length).toBeGreaterThan(5);
    }
    expect(dead[1]!.headers[DLQ_HEADERS.reason]).toContain('body');
  });
});
