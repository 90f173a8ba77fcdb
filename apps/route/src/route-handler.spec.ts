import { TOPICS, type CommentScoreState, type EnrichedEvent } from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import { createCoalescer, type Timers } from './coalescer';
import { createRouteHandler } from './route-handler';
import { SCORE_HEADERS } from './score-changelog';
import { scoreRecord, type PendingScore } from './score-delivery';

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

function setup() {
  let windowEnd: (() => void) | undefined;
  const timers: Timers = { set: (fn) => (windowEnd = fn), clear: () => (windowEnd = undefined) };
  const scores = new Map<string, CommentScoreState>();
  const sent: OutRecord[] = [];
  const coalescer = createCoalescer<PendingScore>({
    windowMs: 250,
    maxPending: 100,
    build: (id, pending) => {
      const state = scores.get(id);
      return state && scoreRecord(state, pending);
    },
    send: async (records) => void sent.push(...records),
    timers,
  });
  const handler = createRouteHandler({
    route: { maxMentions: 20 },
    scores,
    coalescer,
    writerId: 'w1',
  });
  const handle = (r: InRecord) => handler(r) as OutRecord[];
  const endWindow = async () => {
    windowEnd?.();
    await new Promise((r) => setImmediate(r));
  };
  return { handle, scores, sent, endWindow };
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
    ]);
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
    for (let i = 0; i < 50; i++) {
      const out = handle(input(vote(`u${i}`, i < 30 ? 1 : -1)));
      expect(out).toHaveLength(1);
      expect(out[0]!.topic).toBe(TOPICS.commentScores);
      expect(out[0]!.key).toBe('c1');
      expect(out[0]!.headers?.[SCORE_HEADERS.writer]).toBe('w1');
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
    const { handle, sent, scores, endWindow } = setup();
    handle(input(vote('u1', 1)));
    handle(input(vote('u2', 1)));
    const replay = handle(input(vote('u2', 1)));
    expect(JSON.parse(String(replay[0]!.value))).toEqual({
      commentId: 'c1',
      threadId: 't1',
      votes: { u1: 1, u2: 1 },
    });
    await endWindow();
    expect(frame(sent[0]!).event).toMatchObject({ score: 2, up: 2, down: 0 });
    handle(input(vote('u2', -1)));
    await endWindow();
    expect(frame(sent[1]!).event).toMatchObject({ score: 0, up: 1, down: 1 });
    expect(scores.get('c1')?.votes).toEqual({ u1: 1, u2: -1 });
  });
});
