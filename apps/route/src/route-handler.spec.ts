import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS, type EnrichedEvent } from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import { openLocalPartition, timeIndexKey, type PartitionState } from '@threadcast/store';
import { createCoalescer, type Timers } from './coalescer';
import { createRouteHandler } from './route-handler';
import { scoreRecord, type PendingScore } from './score-delivery';
import { readTally } from './vote-store';

const at = '2026-11-27T10:00:00.000Z';
const base = { eventId: 'e1', threadId: 't1', forumId: 'f1', commentId: 'c1', acceptedAt: at };
let offset = 0;
const input = (event: EnrichedEvent | string, headers: Record<string, string> = {}): InRecord => ({
  topic: TOPICS.commentsEnriched,
  partition: 5,
  offset: String(offset++),
  key: Buffer.from('t1'),
  value: Buffer.from(typeof event === 'string' ? event : JSON.stringify(event)),
  headers,
  timestamp: '0',
});
const vote = (userId: string, value: 1 | -1): EnrichedEvent => ({
  ...base,
  eventId: `v-${userId}-${value}`,
  type: 'comment.voted',
  userId,
  value,
});

const created: EnrichedEvent = {
  ...base,
  type: 'comment.created',
  author: { id: 'alice', name: 'Alice' },
  html: '<p>hi</p>',
  mentions: [],
  moderation: 'open',
  spam: { score: 0, reasons: [] },
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(retention?: { windowMs: number; now(): number }) {
  const dir = mkdtempSync(join(tmpdir(), 'route-handler-'));
  const store = openLocalPartition(dir, 5, TOPICS.routeVotesChangelog);
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const state: PartitionState = store.state;
  let windowEnd: (() => void) | undefined;
  const timers: Timers = { set: (fn) => (windowEnd = fn), clear: () => (windowEnd = undefined) };
  const sent: OutRecord[] = [];
  const coalescer = createCoalescer<PendingScore>({
    windowMs: 250,
    maxPending: 100,
    build: (id, pending) => {
      const tally = readTally(state.local, id);
      return tally && scoreRecord(id, tally, pending);
    },
    send: async (records) => void sent.push(...records),
    timers,
  });
  const handler = createRouteHandler({
    route: { maxMentions: 20 },
    votes: {
      partition: (p) => {
        if (p !== 5) throw new Error(`partition ${p} not held`);
        return state;
      },
    },
    coalescer,
    retention,
  });
  const handle = (r: InRecord) => handler(r) as OutRecord[];
  const endWindow = async () => {
    windowEnd?.();
    await new Promise((r) => setImmediate(r));
  };
  return { handle, state, sent, endWindow };
}
const frame = (r: OutRecord) => JSON.parse(String(r.value));

describe('route handler', () => {
  it('dead-letters what is not an enriched event, naming the field', () => {
    const { handle } = setup();
    expect(() => handle(input('not json'))).toThrow(PoisonRecordError);
    try {
      handle(input({ ...base, type: 'comment.deleted', threadId: 'bad id' } as EnrichedEvent));
    } catch (e) {
      expect(e).toBeInstanceOf(PoisonRecordError);
      expect((e as PoisonRecordError).code).toBe('schema_violation');
      expect((e as PoisonRecordError).field).toBe('threadId');
    }
    expect.assertions(4);
  });

  it('turns a comment into delivery records carrying the input trace headers', () => {
    const { handle } = setup();
    const out = handle(
      input(
        {
          ...base,
          type: 'comment.created',
          author: { id: 'alice', name: 'Alice' },
          html: '<p>hi @bob</p>',
          mentions: ['bob'],
          moderation: 'open',
          spam: { score: 0, reasons: [] },
        },
        { 'tc-event-id': 'e1', 'tc-accepted-at': '1700', traceparent: 'tp' },
      ),
    );
    expect(out.map((r) => [r.topic, r.key, r.headers?.['tc-channel']])).toEqual([
      [TOPICS.deliveries, 't1', 'thread:t1'],
      [TOPICS.deliveries, 'user:bob', 'user:bob'],
      [TOPICS.routeVotesChangelog, 'c/c1', undefined],
      [TOPICS.routeVotesChangelog, timeIndexKey(Date.parse(at), 'c1'), undefined],
    ]);
    // The comment's existence and creation time, to the changelog partition of its input partition, bare.
    expect(out[2]).toEqual({
      topic: TOPICS.routeVotesChangelog,
      partition: 5,
      key: 'c/c1',
      value: Buffer.from(`t1/${Date.parse(at)}`),
      changelog: true,
    });
    expect(out[1]!.headers).toEqual({
      'tc-schema': 'deliveries.v1',
      'tc-channel': 'user:bob',
      'tc-event-id': 'e1',
      'tc-accepted-at': '1700',
    });
    expect(frame(out[1]!)).toMatchObject({
      op: 'event',
      channel: 'user:bob',
      event: { id: 'c1', reason: 'mention' },
    });
  });

  it('coalesces 50 votes in one window into one score update with the right total', async () => {
    const { handle, sent, endWindow } = setup();
    handle(input(created));
    for (let i = 0; i < 50; i++) {
      const out = handle(input(vote(`u${i}`, i < 30 ? 1 : -1)));
      // One tiny changelog record per vote, whatever the number of voters before it.
      expect(out).toEqual([
        {
          topic: TOPICS.routeVotesChangelog,
          partition: 5,
          key: `v/c1/u${i}`,
          value: Buffer.from(i < 30 ? '+' : '-'),
          changelog: true,
        },
      ]);
    }
    expect(sent).toEqual([]);
    await endWindow();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.key).toBe('t1');
    expect(sent[0]!.headers?.['tc-channel']).toBe('thread:t1');
    const { event } = frame(sent[0]!);
    expect(event).toMatchObject({
      type: 'comment.score',
      id: 'c1',
      threadId: 't1',
      score: 10,
      up: 30,
      down: 20,
      at,
    });
    expect(event.eventId).toBe(`score:c1:5:${offset - 1}`);
    expect(sent[0]!.headers?.['tc-event-id']).toBe(event.eventId);
  });

  it('counts a re-applied vote once, and a changed vote as the voter latest', async () => {
    const { handle, sent, state, endWindow } = setup();
    handle(input(created));
    handle(input(vote('u1', 1)));
    handle(input(vote('u2', 1)));
    // A replay is written to the changelog again (the first write may never have got there),
    // but counts nothing.
    const replay = handle(input(vote('u2', 1)));
    expect(replay.map((r) => [r.key, String(r.value)])).toEqual([['v/c1/u2', '+']]);
    await endWindow();
    expect(frame(sent[0]!).event).toMatchObject({ score: 2, up: 2, down: 0 });
    handle(input(vote('u2', -1)));
    await endWindow();
    expect(frame(sent[1]!).event).toMatchObject({ score: 0, up: 1, down: 1 });
    expect(readTally(state.local, 'c1')).toEqual({ up: 1, down: 1 });
  });

  it('dead-letters a vote for a comment it never saw created, and keeps no state for it', () => {
    const { handle, state } = setup();
    expect(() => handle(input(vote('u1', 1)))).toThrow(
      expect.objectContaining({ code: 'unknown_comment' }) as unknown as Error,
    );
    expect(state.get('v/c1/u1')).toBeUndefined();
    expect(readTally(state.local, 'c1')).toBeUndefined();
  });

  it('tombstones a deleted comment: its votes, its existence and its tally', () => {
    const { handle, state } = setup();
    handle(input(created));
    handle(input(vote('u1', 1)));
    handle(input(vote('u2', -1)));
    const out = handle(input({ ...base, type: 'comment.deleted' }));
    expect(out.filter((r) => r.topic === TOPICS.routeVotesChangelog).map((r) => [r.key, r.value])).toEqual([
      ['v/c1/u1', null],
      ['v/c1/u2', null],
      ['c/c1', null],
      [timeIndexKey(Date.parse(at), 'c1'), null],
    ]);
    expect([...state.keys('v/c1/')]).toEqual([]);
    expect(readTally(state.local, 'c1')).toBeUndefined();
    // Deleted: later votes are refused like votes for a comment that never was.
    expect(() => handle(input(vote('u3', 1)))).toThrow(PoisonRecordError);
  });

  describe('retention', () => {
    const DAY = 86_400_000;
    const window = { windowMs: 30 * DAY, now: () => Date.parse(at) };
    const unknown = expect.objectContaining({ code: 'unknown_comment' }) as unknown as Error;

    it('refuses a vote cast more than the window after its comment was created, swept or not', () => {
      const { handle, state } = setup(window);
      handle(input(created));
      const later = (days: number) => new Date(Date.parse(at) + days * DAY).toISOString();
      handle(input({ ...vote('u1', 1), acceptedAt: later(29) }));
      expect(() => handle(input({ ...vote('u2', 1), acceptedAt: later(30) }))).toThrow(unknown);
      expect(readTally(state.local, 'c1')).toEqual({ up: 1, down: 0 });
      expect(state.get('v/c1/u2')).toBeUndefined();
    });

    it('keeps no state for a creation already past the window (a replay of old history)', () => {
      const { handle, state } = setup({ ...window, now: () => Date.parse(at) + 31 * DAY });
      const out = handle(input(created));
      expect(out.filter((r) => r.topic === TOPICS.routeVotesChangelog)).toEqual([]);
      expect(out.filter((r) => r.topic === TOPICS.deliveries)).toHaveLength(1);
      expect([...state.keys('')]).toEqual([]);
      expect(() => handle(input(vote('u1', 1)))).toThrow(unknown);
    });
  });
});
