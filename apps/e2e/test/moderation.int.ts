import { DLQ_HEADERS, TOPICS } from '@threadcast/contracts';
import { createKafka, readTopic, type InRecord } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { brokers, startPipeline } from './services';
import { TestClient, postJson } from './ws-client';

// Issue 15, point 5, on the real broker with the four services as processes: edits and deletes
// of held comments reach moderators only, and an edit of someone else's comment is refused.
// Issue 16: a moderator approves a held comment (thread readers get it) or rejects it (never).
const JWT_SECRET = 'moderation-e2e-secret-moderation-e2e';
const SPAM = 'casino viagra https://a.example https://b.example https://c.example';

describe('moderation end to end', () => {
  let p: Awaited<ReturnType<typeof startPipeline>>;
  const run = Math.random().toString(36).slice(2, 8);
  const id = (s: string) => `${s}-${run}`;
  const clients: TestClient[] = [];
  const connect = async (claims?: { sub: string; mod?: string[] }) => {
    const c = await TestClient.connectAs(p.gatewayUrl, JWT_SECRET, claims);
    clients.push(c);
    return c;
  };
  const send = async (path: string, body: unknown, method = 'POST') => {
    const res = await postJson(`${p.ingestUrl}${path}`, body, method);
    expect(res.status).toBe(202);
    return res.body as { id?: string; eventId?: string };
  };
  /** What enrich dead-lettered for a thread (key): polled, the DLQ write may trail the deliveries. */
  const deadLettered = async (thread: string, count: number): Promise<InRecord[]> => {
    const logger = createLogger({ service: 'e2e', level: 'silent' });
    const kafka = createKafka(
      { KAFKA_BROKERS: brokers().split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
      logger,
      'e2e',
    );
    for (let attempt = 0; ; attempt++) {
      const dead: InRecord[] = [];
      const reader = await readTopic({
        kafka,
        topic: TOPICS.dlq,
        groupId: id(`e2e-dlq-${attempt}`),
        fromBeginning: true,
        logger,
        onRecord: (r) => {
          if (r.key?.toString() === thread) dead.push(r);
        },
      });
      await reader.caughtUp;
      await reader.stop();
      if (dead.length >= count || attempt >= 20) return dead;
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    p = await startPipeline({ gateway: { GATEWAY_JWT_SECRET: JWT_SECRET } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await p?.stop();
  });

  it('never shows an anonymous thread reader the edit or delete of a held comment', async () => {
    const forum = id('forum');
    const thread = id('t-held');
    await send(`/v1/threads/${thread}`, { forumId: forum, moderation: 'premoderated' }, 'PUT');
    const [reader, mod] = await Promise.all([connect(), connect({ sub: id('mia'), mod: [forum] })]);
    await reader.subscribe(`thread:${thread}`);
    await mod.subscribe(`mod:${forum}`);
    // Let enrich see the thread settings before the comment (tables are eventually consistent).
    await new Promise((r) => setTimeout(r, 1000));

    const dave = id('dave');
    const held = await send(`/v1/threads/${thread}/comments`, { author: { id: dave }, body: 'hold me' });
    const cid = held.id!;
    await send(
      `/v1/threads/${thread}/comments/${cid}`,
      { body: 'edited while held', editorId: dave },
      'PATCH',
    );
    await send(`/v1/threads/${thread}/comments/${cid}`, { deletedBy: dave }, 'DELETE');
    // A sentinel behind them in the same thread (so the same partitions): open the thread and
    // post. Once the reader has it, anything routed to the thread before it has arrived too.
    await send(`/v1/threads/${thread}`, { forumId: forum, moderation: 'open' }, 'PUT');
    await new Promise((r) => setTimeout(r, 1000));
    const sentinel = await send(`/v1/threads/${thread}/comments`, {
      author: { id: id('erin') },
      body: 'open now',
    });
    await reader.waitFor('the sentinel', (f) => f.event?.id === sentinel.id);
    expect(reader.events(`thread:${thread}`).map((e) => [e.type, e.id])).toEqual([
      ['comment.created', sentinel.id],
    ]);

    await mod.waitFor('the held delete', (f) => f.event?.type === 'comment.deleted' && f.event.id === cid);
    expect(
      mod.events(`mod:${forum}`).map((e) => [e.type, e.id, (e.held as { reason: string }).reason]),
    ).toEqual([
      ['comment.created', cid, 'premoderated'],
      ['comment.edited', cid, 'premoderated'],
      ['comment.deleted', cid, 'premoderated'],
    ]);
  });

  it('dead-letters an edit of someone else’s comment as not_author and never delivers it', async () => {
    const forum = id('forum2');
    const thread = id('t-open');
    await send(`/v1/threads/${thread}`, { forumId: forum, moderation: 'open' }, 'PUT');
    const [reader, mod] = await Promise.all([connect(), connect({ sub: id('moe'), mod: [forum] })]);
    await reader.subscribe(`thread:${thread}`);
    await mod.subscribe(`mod:${forum}`);
    await new Promise((r) => setTimeout(r, 1000));

    const alice = id('alice');
    const mallory = id('mallory');
    const c = await send(`/v1/threads/${thread}/comments`, { author: { id: alice }, body: 'mine' });
    const cid = c.id!;
    await send(
      `/v1/threads/${thread}/comments/${cid}`,
      { body: 'pwned by mallory', editorId: mallory },
      'PATCH',
    );
    await send(`/v1/threads/${thread}/comments/${cid}`, { deletedBy: mallory }, 'DELETE');
    await send(`/v1/threads/${thread}/comments/${cid}`, { body: 'mine, fixed', editorId: alice }, 'PATCH');
    // Spam edited into the approved comment holds it: moderators see it, thread readers do not.
    await send(`/v1/threads/${thread}/comments/${cid}`, { body: SPAM, editorId: alice }, 'PATCH');
    const sentinel = await send(`/v1/threads/${thread}/comments`, {
      author: { id: id('erin') },
      body: 'after',
    });
    await reader.waitFor('the sentinel', (f) => f.event?.id === sentinel.id);
    const seen = reader.events(`thread:${thread}`);
    expect(seen.map((e) => [e.type, e.id])).toEqual([
      ['comment.created', cid],
      ['comment.edited', cid],
      ['comment.created', sentinel.id],
    ]);
    expect(seen[1]!.html).toContain('mine, fixed');
    expect(JSON.stringify(seen)).not.toMatch(/pwned|casino/);

    await mod.waitFor('the spam edit', (f) => f.event?.type === 'comment.edited' && f.event.id === cid);
    expect(mod.events(`mod:${forum}`)).toEqual([
      expect.objectContaining({
        type: 'comment.edited',
        id: cid,
        held: expect.objectContaining({ reason: 'spam' }),
      }),
    ]);

    const dead = await deadLettered(thread, 2);
    expect(dead.map((r) => [r.headers[DLQ_HEADERS.stage], r.headers[DLQ_HEADERS.code]])).toEqual([
      ['enrich', 'not_author'],
      ['enrich', 'not_author'],
    ]);
    expect(JSON.parse(dead[0]!.value!.toString())).toMatchObject({
      type: 'comment.edited',
      editorId: mallory,
    });
    expect(dead[0]!.headers[DLQ_HEADERS.reason]).toContain(mallory);
    expect(JSON.parse(dead[1]!.value!.toString())).toMatchObject({
      type: 'comment.deleted',
      deletedBy: mallory,
    });
  });

  it('delivers an approved held comment to thread readers and its mentions, never a rejected one', async () => {
    const forum = id('forum3');
    const thread = id('t-decide');
    const carol = `carol${run}`;
    await send(`/v1/threads/${thread}`, { forumId: forum, moderation: 'premoderated' }, 'PUT');
    const [reader, mod, mentioned] = await Promise.all([
      connect(),
      connect({ sub: id('mia'), mod: [forum] }),
      connect({ sub: carol }),
    ]);
    await reader.subscribe(`thread:${thread}`);
    await mod.subscribe(`mod:${forum}`);
    await mentioned.subscribe(`user:${carol}`);
    await new Promise((r) => setTimeout(r, 1000));

    const dave = id('dave');
    const good = (await send(`/v1/threads/${thread}/comments`, {
      author: { id: dave },
      body: `worth reading, @${carol}`,
    })) as { id: string; eventId: string };
    const bad = await send(`/v1/threads/${thread}/comments`, { author: { id: dave }, body: 'not this one' });
    await send(
      `/v1/threads/${thread}/comments/${good.id}`,
      { body: `worth reading, **edited**, @${carol}`, editorId: dave },
      'PATCH',
    );
    await mod.waitFor('the held edit', (f) => f.event?.type === 'comment.edited' && f.event.id === good.id);

    const approved = await send(`/v1/threads/${thread}/comments/${good.id}/approve`, {
      moderatorId: id('mia'),
    });
    await send(`/v1/threads/${thread}/comments/${bad.id!}/reject`, { moderatorId: id('mia'), reason: 'no' });
    // Refused: decided already, and never posted.
    await send(`/v1/threads/${thread}/comments/${bad.id!}/approve`, { moderatorId: id('mia') });
    await send(`/v1/threads/${thread}/comments/c-ghost-${run}/approve`, { moderatorId: id('mia') });
    // A rejected comment's edits stay with the moderators; the approved one's delete reaches the
    // thread, behind everything above in its partition: the reader's sentinel.
    await send(`/v1/threads/${thread}/comments/${bad.id!}`, { body: 'please?', editorId: dave }, 'PATCH');
    await send(`/v1/threads/${thread}/comments/${good.id}`, { deletedBy: dave }, 'DELETE');

    await reader.waitFor(
      'the sentinel',
      (f) => f.event?.type === 'comment.deleted' && f.event.id === good.id,
    );
    const seen = reader.events(`thread:${thread}`);
    // As a normal comment: the creation's event id, its author and time, the latest text.
    expect(seen.map((e) => [e.type, e.id, e.eventId])).toEqual([
      ['comment.created', good.id, good.eventId],
      ['comment.deleted', good.id, expect.any(String)],
    ]);
    expect(seen[0]).toMatchObject({ author: { id: dave }, parentId: null, mentions: [carol] });
    expect(seen[0]!.html).toContain('<strong>edited</strong>');
    expect(JSON.stringify(seen)).not.toMatch(/not this one|please\?/);
    expect('held' in seen[0]!).toBe(false);

    await mentioned.waitFor('the mention', (f) => f.event?.id === good.id);
    expect(mentioned.events(`user:${carol}`)).toEqual([
      expect.objectContaining({ type: 'comment.created', id: good.id, reason: 'mention' }),
    ]);

    await mod.waitFor(
      'the rejected edit',
      (f) => f.event?.type === 'comment.edited' && f.event.id === bad.id,
    );
    expect(mod.events(`mod:${forum}`).map((e) => [e.type, e.id])).toEqual([
      ['comment.created', good.id],
      ['comment.created', bad.id],
      ['comment.edited', good.id],
      ['comment.approved', good.id],
      ['comment.rejected', bad.id],
      ['comment.edited', bad.id],
    ]);
    expect(mod.events(`mod:${forum}`)[3]).toMatchObject({
      eventId: approved.eventId,
      moderatorId: id('mia'),
    });
    expect(mod.events(`mod:${forum}`)[4]).toMatchObject({ moderatorId: id('mia'), reason: 'no' });

    const dead = await deadLettered(thread, 2);
    expect(dead.map((r) => [r.headers[DLQ_HEADERS.stage], r.headers[DLQ_HEADERS.code]])).toEqual([
      ['enrich', 'not_held'],
      ['enrich', 'unknown_comment'],
    ]);
  });
});
