import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commentRecord, EnrichedEvent, TOPICS, type CommentEventInput } from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { createSweeper, openLocalPartition, rawRestore, timeIndexKey } from '@threadcast/store';
import { createLogger, createMetricsRegistry } from '@threadcast/runtime';
import { createBurstTracker } from './burst-tracker';
import { enrichRecord } from './enrich-record';
import { dropCommentEntry, storeCommentIndex, type EnrichTables } from './tables';

// enrich's comment index on a real LMDB partition (what the service runs), and its restore.

const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c();
});
function partition(p = 4) {
  const dir = mkdtempSync(join(tmpdir(), 'enrich-index-'));
  const local = openLocalPartition(dir, p, TOPICS.enrichCommentsChangelog);
  opened.push(async () => {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return local;
}
const AT = '2026-11-27T10:00:00.000Z';
const T_MS = Date.parse(AT);
const DAY = 86_400_000;
let offset = 0;
function inRecord(input: CommentEventInput): InRecord {
  const r = commentRecord({
    eventId: `e${offset}`,
    acceptedAt: AT,
    ...input,
  } as CommentEventInput);
  return {
    topic: r.topic,
    partition: 4,
    offset: String(offset++),
    key: Buffer.from(r.key),
    value: r.value,
    headers: r.headers,
    timestamp: '0',
  };
}
const threads = new Map([
  ['open', { id: 'open', forumId: 'f1', moderation: 'open' as const, closed: false }],
  ['pre', { id: 'pre', forumId: 'f1', moderation: 'premoderated' as const, closed: false }],
]);
const tablesOn = (p: ReturnType<typeof partition>): EnrichTables => ({
  users: new Map(),
  threads,
  comments: storeCommentIndex(p.state),
});
const deps = () => ({ burst: createBurstTracker(), spamThreshold: 0.7 });
const enriched = (out: OutRecord[]) =>
  JSON.parse(String(out.find((r) => r.topic === TOPICS.commentsEnriched)!.value)) as EnrichedEvent;
const code = (run: () => unknown) => {
  try {
    run();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'not refused';
};

describe('comment index store', () => {
  it('writes bare changelog records to its own partition and answers from disk', () => {
    const p = partition();
    const t = tablesOn(p);
    const d = deps();
    const out = enrichRecord(
      inRecord({
        type: 'comment.created',
        threadId: 'open',
        commentId: 'c1',
        author: { id: 'alice' },
        body: 'hi',
      }),
      t,
      d,
    );
    const entry = { commentId: 'c1', threadId: 'open', authorId: 'alice', createdAt: T_MS };
    expect(out[1]).toEqual({
      topic: TOPICS.enrichCommentsChangelog,
      partition: 4,
      key: 'c1',
      value: Buffer.from(JSON.stringify(entry)),
      changelog: true,
    });
    // Its time-index key (retention), in the changelog too, so a restore brings it back.
    expect(out[2]).toMatchObject({ partition: 4, key: timeIndexKey(T_MS, 'c1'), changelog: true });
    expect(JSON.parse(String(p.state.get('c1')))).toEqual(entry);
    expect(p.state.get(timeIndexKey(T_MS, 'c1'))).toBeDefined();
    const reply = enrichRecord(
      inRecord({
        type: 'comment.created',
        threadId: 'open',
        commentId: 'c2',
        parentId: 'c1',
        author: { id: 'bob' },
        body: 'yo',
      }),
      t,
      d,
    );
    expect(enriched(reply)).toMatchObject({ parentAuthorId: 'alice' });
  });

  it('rebuilds authorship, holds and decisions from its changelog in an empty partition', () => {
    const p = partition();
    const d = deps();
    const run = (input: CommentEventInput, on = p) => enrichRecord(inRecord(input), tablesOn(on), d);
    const log = [
      ...run({
        type: 'comment.created',
        threadId: 'open',
        commentId: 'a1',
        author: { id: 'alice' },
        body: 'hi',
      }),
      ...run({
        type: 'comment.created',
        threadId: 'pre',
        commentId: 'h1',
        author: { id: 'alice' },
        body: 'hi',
      }),
      ...run({
        type: 'comment.created',
        threadId: 'pre',
        commentId: 'h2',
        author: { id: 'bob' },
        body: 'hi',
      }),
      ...run({ type: 'comment.approved', threadId: 'pre', commentId: 'h2', moderatorId: 'mod' }),
    ].filter((r) => r.topic === TOPICS.enrichCommentsChangelog);
    const fresh = partition();
    for (const r of log)
      rawRestore(fresh.restoreView, String(r.key), r.value === null ? null : Buffer.from(r.value));
    const edit = (commentId: string, threadId: string, editorId: string): CommentEventInput => ({
      type: 'comment.edited',
      threadId,
      commentId,
      editorId,
      body: 'changed',
    });
    expect(code(() => run(edit('a1', 'open', 'mallory'), fresh))).toBe('not_author');
    expect(code(() => run(edit('nope', 'open', 'alice'), fresh))).toBe('unknown_comment');
    expect(
      code(() =>
        run(
          {
            type: 'comment.created',
            threadId: 'open',
            commentId: 'a1',
            author: { id: 'mallory' },
            body: 'x',
          },
          fresh,
        ),
      ),
    ).toBe('comment_exists');
    expect(enriched(run(edit('a1', 'open', 'alice'), fresh))).not.toHaveProperty('held');
    expect(enriched(run(edit('h1', 'pre', 'alice'), fresh))).toMatchObject({ held: 'premoderated' });
    expect(
      code(() =>
        run({ type: 'comment.rejected', threadId: 'pre', commentId: 'h2', moderatorId: 'mod' }, fresh),
      ),
    ).toBe('not_held');
    expect(
      enriched(
        run({ type: 'comment.approved', threadId: 'pre', commentId: 'h1', moderatorId: 'mod' }, fresh),
      ),
    ).toMatchObject({
      type: 'comment.approved',
      // Held since it was posted: the approval delivers the creation with the edit's text.
      comment: { kind: 'created', html: '<p>changed</p>' },
    });
  });
});

describe('comment index retention (STATE_RETENTION_DAYS)', () => {
  const WINDOW = 30 * DAY;
  const later = (days: number) => new Date(T_MS + days * DAY).toISOString();
  const retained = () => ({ ...deps(), retentionWindowMs: WINDOW });
  const create = (
    commentId: string,
    threadId = 'pre',
  ): Extract<CommentEventInput, { type: 'comment.created' }> => ({
    type: 'comment.created',
    threadId,
    commentId,
    author: { id: 'alice' },
    body: 'hi',
  });

  it('refuses edits, deletes, decisions and parent lookups of a comment past the window, by event time', () => {
    const p = partition();
    const d = retained();
    const t = tablesOn(p);
    enrichRecord(inRecord(create('old')), t, d);
    enrichRecord(inRecord(create('held')), t, d);
    const at = (input: CommentEventInput, days: number) =>
      enrichRecord(inRecord({ acceptedAt: later(days), ...input } as CommentEventInput), t, d);
    const edit: CommentEventInput = {
      type: 'comment.edited',
      threadId: 'pre',
      commentId: 'old',
      body: 'late',
      editorId: 'alice',
    };
    // Inside the window: allowed. Past it (not yet swept): refused as unknown, as after the sweep.
    expect(enriched(at(edit, 29))).toMatchObject({ type: 'comment.edited' });
    expect(code(() => at(edit, 31))).toBe('unknown_comment');
    expect(
      code(() => at({ type: 'comment.deleted', threadId: 'pre', commentId: 'old', deletedBy: 'alice' }, 31)),
    ).toBe('unknown_comment');
    const approve: CommentEventInput = {
      type: 'comment.approved',
      threadId: 'pre',
      commentId: 'held',
      moderatorId: 'mod',
    };
    expect(code(() => at(approve, 30))).toBe('unknown_comment');
    const reply = at({ ...create('r1', 'open'), parentId: 'old' }, 31);
    expect(enriched(reply)).not.toHaveProperty('parentAuthorId');
    // Without a window (0), nothing expires.
    const forever = enrichRecord(
      inRecord({ acceptedAt: later(400), ...edit } as CommentEventInput),
      t,
      deps(),
    );
    expect(enriched(forever)).toMatchObject({ type: 'comment.edited' });
  });

  it('keeps the creation time through holds and decisions, and the sweep drops expired entries with tombstones', async () => {
    const p = partition();
    const d = retained();
    const t = tablesOn(p);
    enrichRecord(inRecord(create('h1')), t, d);
    enrichRecord(
      inRecord({ type: 'comment.approved', threadId: 'pre', commentId: 'h1', moderatorId: 'mod' }),
      t,
      d,
    );
    enrichRecord(inRecord({ ...create('new'), acceptedAt: later(20) } as CommentEventInput), t, d);
    expect(JSON.parse(String(p.state.get('h1')))).toMatchObject({
      decided: { verdict: 'approved' },
      createdAt: T_MS,
    });

    const sent: OutRecord[] = [];
    let now = T_MS + 31 * DAY;
    const sweeper = createSweeper({
      store: { name: 'comments', held: () => [4], holds: (n) => n === 4, partition: () => p.state },
      windowMs: WINDOW,
      drop: dropCommentEntry,
      send: async (records) => void sent.push(...records),
      logger: createLogger({ service: 'test', level: 'silent' }),
      registry: createMetricsRegistry('test'),
      now: () => now,
    });
    expect(await sweeper.sweep()).toBe(1);
    expect(sent.map((r) => [r.key, r.value])).toEqual([
      ['h1', null],
      [timeIndexKey(T_MS, 'h1'), null],
    ]);
    expect(p.state.get('h1')).toBeUndefined();
    expect(p.state.get('new')).toBeDefined();
    now = T_MS + 51 * DAY;
    expect(await sweeper.sweep()).toBe(1);
    expect(p.state.get('new')).toBeUndefined();
    expect([...p.state.keys('')]).toEqual([]);
  });
});
