import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commentRecord, EnrichedEvent, TOPICS, type CommentEventInput } from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { openLocalPartition, rawRestore } from '@threadcast/store';
import { createBurstTracker } from './burst-tracker';
import { enrichRecord } from './enrich-record';
import { storeCommentIndex, type EnrichTables } from './tables';

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
let offset = 0;
function inRecord(input: CommentEventInput): InRecord {
  const r = commentRecord({
    eventId: `e${offset}`,
    acceptedAt: '2026-11-27T10:00:00.000Z',
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
    expect(out[1]).toEqual({
      topic: TOPICS.enrichCommentsChangelog,
      partition: 4,
      key: 'c1',
      value: Buffer.from(JSON.stringify({ commentId: 'c1', threadId: 'open', authorId: 'alice' })),
      changelog: true,
    });
    expect(JSON.parse(String(p.state.get('c1')))).toEqual({
      commentId: 'c1',
      threadId: 'open',
      authorId: 'alice',
    });
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
