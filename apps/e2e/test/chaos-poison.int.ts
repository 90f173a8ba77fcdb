import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DLQ_HEADERS, HEADERS, TOPICS } from '@threadcast/contracts';
import {
  createKafka,
  createKeyedProducer,
  partitionForKey,
  readLog,
  topicEndOffsets,
  type InRecord,
  type OutRecord,
} from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { createFigures, sleep, waitUntil, watch, type Watcher } from './chaos-kit';
import { brokers, startPipeline } from './services';
import { postJson } from './ws-client';

const root = join(__dirname, '..', '..', '..');

/** `npm run dlq -- <args>` against the run's broker. */
function dlq(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'tools', 'dlq', 'bin', 'dlq.mjs'), ...args], {
      env: { ...process.env, KAFKA_BROKERS: brokers() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

interface Poison {
  what: string;
  record: OutRecord;
  /** The DLQ code the stage gives it; undefined where the stage has no DLQ (the gateway). */
  code?: string;
}

// Issue 7: every kind of poison record we know, produced between good ones into the topic each
// stage reads (and into the tables enrich joins with, and hostile requests to ingest): the good
// ones pass, in order, and every poison record the stage can dead-letter is in the DLQ with why.
describe('chaos: poison records between good ones at every stage', () => {
  let p: Awaited<ReturnType<typeof startPipeline>>;
  const run = Math.random().toString(36).slice(2, 8);
  const logger = createLogger({ service: 'e2e', level: 'silent' });
  const kafka = createKafka(
    { KAFKA_BROKERS: brokers().split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    'e2e-poison',
  );
  const producer = createKeyedProducer(kafka);
  const figures = createFigures('poison');
  const watchers: Watcher[] = [];
  const thread = `t-poison-${run}`;
  const channel = `thread:${thread}`;
  let closed = ''; // a closed thread whose records share the good thread's partition
  const started = Date.now();

  beforeAll(async () => {
    p = await startPipeline({ all: { OTEL_SDK_DISABLED: 'true' } });
    await producer.connect();
    const partitions = (await topicEndOffsets(kafka, TOPICS.comments)).length;
    for (let i = 0; !closed; i++) {
      const candidate = `t-closed-${i}-${run}`;
      if (partitionForKey(candidate, partitions) === partitionForKey(thread, partitions)) closed = candidate;
    }
  });
  afterAll(async () => {
    for (const w of watchers) w.close();
    await producer.disconnect();
    await p?.stop();
    figures.print();
  });

  const created = (w: Watcher, ch = channel) =>
    w.seen
      .get(ch)!
      .filter((e) => e.type === 'comment.created')
      .map((e) => e.id);
  const deadLettered = async (keys: string[]): Promise<InRecord[]> =>
    (
      await readLog({
        kafka,
        topic: TOPICS.dlq,
        groupId: `e2e-poison-dlq-${run}-${Date.now()}`,
        logger,
        since: started,
      })
    ).filter((r) => keys.includes(r.key?.toString() ?? ''));

  it('dead-letters every poison comment event, skips broken table rows, survives broken deliveries, delivers the good ones in order', async () => {
    const w = watch(p.gatewayUrl, [channel, `thread:${closed}`]);
    watchers.push(w);
    await w.subscribed();

    // Close the thread, and wait until enrich knows: a probe comment to it gets dead-lettered.
    expect(
      (await postJson(`${p.ingestUrl}/v1/threads/${closed}`, { forumId: 'f', closed: true }, 'PUT')).status,
    ).toBe(202);
    const probes: string[] = [];
    await waitUntil('enrich to see the thread closed', async () => {
      const r = await postJson(`${p.ingestUrl}/v1/threads/${closed}/comments`, {
        author: { id: `probe-${run}` },
        body: `probe ${probes.length}`,
      });
      probes.push(r.body.id);
      await sleep(1500);
      if (created(w, `thread:${closed}`).includes(r.body.id)) return false; // not yet
      return (await deadLettered([closed])).some((d) => d.value?.toString().includes(r.body.id));
    });

    const acceptedAt = () => new Date().toISOString();
    const comment = (n: number, overrides: Record<string, unknown> = {}) => ({
      type: 'comment.created',
      eventId: `pe-${n}-${run}`,
      threadId: thread,
      commentId: `pc-${n}-${run}`,
      acceptedAt: acceptedAt(),
      author: { id: `team-${n}` },
      body: `good comment ${n}`,
      ...overrides,
    });
    const toComments = (value: OutRecord['value'], key: string = thread): OutRecord => ({
      topic: TOPICS.comments,
      key,
      value,
    });
    const enrichPoison: Poison[] = [
      { what: 'not JSON', record: toComments('{"type": "comment.created", nope'), code: 'invalid_json' },
      {
        what: 'not UTF-8',
        record: toComments(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
        code: 'invalid_utf8',
      },
      { what: 'empty value', record: toComments(Buffer.alloc(0)), code: 'missing_value' },
      { what: 'tombstone (null value)', record: toComments(null), code: 'missing_value' },
      {
        what: 'oversize (200 KB)',
        record: toComments(JSON.stringify(comment(90, { body: 'x'.repeat(200_000) }))),
        code: 'oversize',
      },
      { what: 'a JSON array', record: toComments('[1,2,3]'), code: 'schema_violation' },
      { what: 'JSON null', record: toComments('null'), code: 'schema_violation' },
      {
        what: 'nested 20,000 deep',
        record: toComments(`${'['.repeat(20_000)}${']'.repeat(20_000)}`),
        code: 'schema_violation',
      },
      {
        what: 'unknown event type',
        record: toComments(JSON.stringify(comment(91, { type: 'comment.exploded' }))),
        code: 'unknown_type',
      },
      {
        what: 'body of the wrong type',
        record: toComments(JSON.stringify(comment(92, { body: 42 }))),
        code: 'schema_violation',
      },
      {
        what: 'no event id',
        record: toComments(JSON.stringify(comment(93, { eventId: undefined }))),
        code: 'schema_violation',
      },
      {
        what: 'a body over 10,000 characters',
        record: toComments(JSON.stringify(comment(94, { body: 'y'.repeat(10_001) }))),
        code: 'schema_violation',
      },
      {
        what: 'an accept time that is not a time',
        record: toComments(JSON.stringify(comment(95, { acceptedAt: 'yesterday' }))),
        code: 'schema_violation',
      },
      {
        what: 'an author id with spaces',
        record: toComments(JSON.stringify(comment(96, { author: { id: 'a b' } }))),
        code: 'schema_violation',
      },
      {
        what: '__proto__ member',
        record: toComments(JSON.stringify(comment(97)).replace(/}$/, ',"__proto__":{"polluted":true}}')),
        code: 'schema_violation',
      },
      {
        what: 'key is not the thread id',
        record: toComments(JSON.stringify(comment(98, { threadId: `elsewhere-${run}` }))),
        code: 'key_mismatch',
      },
      { what: 'no key', record: toComments(JSON.stringify(comment(99)), ''), code: 'missing_key' },
      {
        what: 'a new comment on a closed thread',
        record: toComments(JSON.stringify(comment(100, { threadId: closed })), closed),
        code: 'thread_closed',
      },
    ];
    // Odd but valid: these must pass like any good record.
    const oddGood: OutRecord[] = [
      {
        ...toComments(JSON.stringify(comment(200, { body: 'garbage trace headers' }))),
        headers: { traceparent: 'not-a-traceparent', [HEADERS.acceptedAt]: 'soon', tracestate: '\u0000' },
      },
      toComments(
        JSON.stringify(
          comment(201, { body: 'emoji 🧨, RTL \u202egnp.exe, zero width \u200b, lone \ud800 surrogate' }),
        ),
      ),
    ];

    const enriched = (n: number, overrides: Record<string, unknown> = {}) => ({
      type: 'comment.created',
      eventId: `pre-${n}-${run}`,
      threadId: thread,
      forumId: 'default',
      commentId: `prc-${n}-${run}`,
      acceptedAt: acceptedAt(),
      author: { id: `team-${n}`, name: `Team ${n}` },
      html: `<p>enriched ${n}</p>`,
      mentions: [],
      moderation: 'open',
      spam: { score: 0, reasons: [] },
      ...overrides,
    });
    const toEnriched = (value: OutRecord['value']): OutRecord => ({
      topic: TOPICS.commentsEnriched,
      key: thread,
      value,
    });
    const routePoison: Poison[] = [
      { what: 'not JSON', record: toEnriched('{"type":'), code: 'invalid_json' },
      { what: 'not UTF-8', record: toEnriched(Buffer.from([0xff, 0xfe, 0xfd])), code: 'invalid_utf8' },
      { what: 'tombstone (null value)', record: toEnriched(null), code: 'missing_value' },
      {
        what: 'oversize (100 KB)',
        record: toEnriched(JSON.stringify(enriched(90, { html: 'z'.repeat(100_000) }))),
        code: 'oversize',
      },
      {
        what: 'unknown event type',
        record: toEnriched(JSON.stringify(enriched(91, { type: 'comment.teleported' }))),
        code: 'unknown_type',
      },
      {
        what: 'no html',
        record: toEnriched(JSON.stringify(enriched(92, { html: undefined }))),
        code: 'schema_violation',
      },
      {
        what: 'mentions of the wrong type',
        record: toEnriched(JSON.stringify(enriched(93, { mentions: 'everyone' }))),
        code: 'schema_violation',
      },
      {
        what: 'a vote of +5',
        record: toEnriched(JSON.stringify({ ...enriched(94), type: 'comment.voted', userId: 'u', value: 5 })),
        code: 'schema_violation',
      },
    ];

    const frame = (n: number) => ({
      op: 'event',
      channel,
      event: {
        type: 'comment.created',
        eventId: `pde-${n}-${run}`,
        id: `pdc-${n}-${run}`,
        threadId: thread,
        parentId: null,
        author: { id: `team-${n}`, name: `Team ${n}` },
        html: `<p>delivery ${n}</p>`,
        mentions: [],
        createdAt: acceptedAt(),
      },
    });
    const toDeliveries = (
      value: OutRecord['value'],
      headers: Record<string, string> = { [HEADERS.channel]: channel },
    ): OutRecord => ({
      topic: TOPICS.deliveries,
      key: thread,
      value,
      headers,
    });
    const gatewayPoison: Poison[] = [
      { what: 'not JSON', record: toDeliveries('garbage') },
      { what: 'empty value', record: toDeliveries(Buffer.alloc(0)) },
      { what: 'tombstone (null value)', record: toDeliveries(null) },
      { what: 'no channel header', record: toDeliveries(JSON.stringify(frame(90)), {}) },
      { what: 'a frame without an event', record: toDeliveries(JSON.stringify({ op: 'event', channel })) },
      {
        what: 'an event without an id',
        record: toDeliveries(JSON.stringify({ ...frame(91), event: { type: 'comment.created' } })),
      },
      { what: 'an op clients do not know', record: toDeliveries(JSON.stringify({ op: 'explode', channel })) },
      { what: 'a JSON array', record: toDeliveries('[{"op":"event"}]') },
      { what: 'trailing bytes after the frame', record: toDeliveries(`${JSON.stringify(frame(92))}garbage`) },
    ];

    // Table rows enrich cannot read: it skips them and joins with what it has.
    const author = `table-author-${run}`;
    const tablePoison: OutRecord[] = [
      { topic: TOPICS.users, key: author, value: '{"name":' },
      { topic: TOPICS.users, key: author, value: Buffer.from([0xc3, 0x28]) },
      { topic: TOPICS.threads, key: thread, value: '{"forumId": 42}' },
    ];
    await producer.send(tablePoison);

    // Produce each stage's records as good, poison, good, poison, ..., good (one batch each).
    const interleave = (goods: OutRecord[], bad: OutRecord[]) =>
      goods.flatMap((g, i) => (i < bad.length ? [g, bad[i]!] : [g]));
    const goodComments = enrichPoison.map((_, i) =>
      toComments(JSON.stringify(comment(i, i === 0 ? { author: { id: author } } : {}))),
    );
    goodComments.push(toComments(JSON.stringify(comment(enrichPoison.length))), ...oddGood);
    const goodEnriched = [...routePoison, null].map((_, i) => toEnriched(JSON.stringify(enriched(i))));
    const goodFrames = [...gatewayPoison, null].map((_, i) => toDeliveries(JSON.stringify(frame(i))));
    await producer.send(
      interleave(
        goodComments,
        enrichPoison.map((x) => x.record),
      ),
    );
    await producer.send(
      interleave(
        goodEnriched,
        routePoison.map((x) => x.record),
      ),
    );
    await producer.send(
      interleave(
        goodFrames,
        gatewayPoison.map((x) => x.record),
      ),
    );

    // Hostile requests to ingest between good posts: refused with a 4xx naming why.
    const hostile: { what: string; init: RequestInit; status: number }[] = [
      { what: 'not UTF-8', init: { body: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) }, status: 400 },
      {
        what: 'wrong types',
        init: { body: JSON.stringify({ author: { id: 7 }, body: ['x'] }) },
        status: 400,
      },
      {
        what: 'oversize',
        init: { body: JSON.stringify({ author: { id: 'u' }, body: 'x'.repeat(20_000) }) },
        status: 413,
      },
      {
        what: 'UTF-16',
        init: { body: '{}', headers: { 'content-type': 'application/json; charset=utf-16' } },
        status: 415,
      },
      { what: 'not JSON', init: { body: '{"author":' }, status: 400 },
    ];
    const posted: string[] = [];
    for (const h of [...hostile, null]) {
      const ok = await postJson(`${p.ingestUrl}/v1/threads/${thread}/comments`, {
        author: { id: `poster-${posted.length}-${run}` },
        body: `posted between hostile requests ${posted.length}`,
      });
      expect(ok.status).toBe(202);
      posted.push(ok.body.id);
      if (!h) break;
      const res = await fetch(`${p.ingestUrl}/v1/threads/${thread}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...h.init,
      });
      expect([h.what, res.status]).toEqual([h.what, h.status]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
    }

    // The good ones of each stage arrive, in the order produced.
    const ids = (records: OutRecord[], field: 'commentId' | 'id') =>
      records.map((r) => {
        const v = JSON.parse(String(r.value));
        return (field === 'id' ? v.event.id : v.commentId) as string;
      });
    const expected = {
      enrich: ids(goodComments, 'commentId'),
      route: ids(goodEnriched, 'commentId'),
      gateway: ids(goodFrames, 'id'),
      ingest: posted,
    };
    const all = Object.values(expected).flat();
    await waitUntil(
      'every good record',
      () => all.every((id) => created(w).includes(id)),
      60_000,
      () => `missing ${all.filter((id) => !created(w).includes(id)).join(', ')}`,
    );
    for (const list of Object.values(expected))
      expect(created(w).filter((id) => list.includes(id))).toEqual(list);
    // The gateway's own skips never reached the client; its broken frames the client ignored.
    expect(w.reconnects).toBe(0);
    const byTable = w.seen.get(channel)!.find((e) => e.id === expected.enrich[0]);
    expect(byTable?.event).toMatchObject({ author: { id: author, name: author } });
    expect(created(w)).toHaveLength(all.length);

    // Every poison record a stage can dead-letter is in the DLQ with its stage, code and source.
    const notProbe = (d: InRecord) => !probes.some((id) => d.value?.toString().includes(id));
    let dead: InRecord[] = [];
    await waitUntil('the DLQ', async () => {
      dead = (await deadLettered([thread, closed, ''])).filter(notProbe);
      return dead.length >= enrichPoison.length + routePoison.length;
    });
    const codes = (stage: string, topic: string) =>
      dead
        .filter((d) => d.headers[DLQ_HEADERS.stage] === stage && d.headers[DLQ_HEADERS.sourceTopic] === topic)
        .map((d) => d.headers[DLQ_HEADERS.code]);
    expect(codes('enrich', TOPICS.comments).sort()).toEqual(enrichPoison.map((x) => x.code).sort());
    expect(codes('route', TOPICS.commentsEnriched).sort()).toEqual(routePoison.map((x) => x.code).sort());
    for (const d of dead) {
      expect(d.headers[DLQ_HEADERS.sourcePartition]).toMatch(/^\d+$/);
      expect(d.headers[DLQ_HEADERS.sourceOffset]).toMatch(/^\d+$/);
      expect(d.headers[DLQ_HEADERS.reason]!.length).toBeGreaterThan(5);
    }

    // On-call: `npm run dlq -- list` shows them; once the thread is reopened, `replay` re-drives
    // the closed-thread comments and they reach the thread's readers.
    const listed = await dlq('list', '--since', '10m', '--code', 'thread_closed');
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`enrich  thread_closed`);
    expect(listed.out).toContain(closed);
    expect(
      (await postJson(`${p.ingestUrl}/v1/threads/${closed}`, { forumId: 'f', closed: false }, 'PUT')).status,
    ).toBe(202);
    await waitUntil('enrich to see the thread open again', async () => {
      const r = await postJson(`${p.ingestUrl}/v1/threads/${closed}/comments`, {
        author: { id: `reopened-${run}` },
        body: 'open?',
      });
      await sleep(1000);
      return created(w, `thread:${closed}`).includes(r.body.id);
    });
    const replayed = await dlq('replay', `key=${closed}`, 'code=thread_closed', '--since', '10m');
    expect(replayed.code).toBe(0);
    expect(replayed.out).toMatch(/re-drove \d+ records?:/);
    const closedComment = `pc-100-${run}`;
    await waitUntil('the replayed comment', () => created(w, `thread:${closed}`).includes(closedComment));

    const tried = {
      poisonRecordsTried:
        enrichPoison.length + routePoison.length + gatewayPoison.length + tablePoison.length + probes.length,
      hostileRequestsTried: hostile.length,
      goodDelivered: all.length,
      deadLettered: dead.length,
      replayed: Number(/re-drove (\d+)/.exec(replayed.out)![1]),
    };
    console.log(`chaos poison: ${JSON.stringify(tried)}`);
    console.log(`npm run dlq -- list (thread_closed):\n${listed.out}`);
    figures.add(tried);
  });
});
