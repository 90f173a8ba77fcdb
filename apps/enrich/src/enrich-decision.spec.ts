import {
  commentRecord,
  EnrichedEvent,
  TOPICS,
  validate,
  type CommentEventInput,
  type EnrichedApproved,
} from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { createBurstTracker } from './burst-tracker';
import { enrichRecord, type EnrichDeps } from './enrich-record';
import { applyTableRecord, createTables, type MemoryTables } from './tables';

// Issue 16: a moderator approves or rejects a held comment.

const AT = '2026-11-27T10:00:00.000Z';
const LATER = '2026-11-27T10:05:00.000Z';
let offset = 0;

function inRecord(input: CommentEventInput): InRecord {
  const r = commentRecord({ eventId: `e${offset}`, acceptedAt: AT, ...input } as CommentEventInput);
  return {
    topic: r.topic,
    partition: 0,
    offset: String(offset++),
    key: Buffer.from(r.key),
    value: r.value,
    headers: r.headers,
    timestamp: '0',
  };
}

const create = (commentId: string, threadId: string, body = 'hello @bob'): CommentEventInput => ({
  type: 'comment.created',
  eventId: `create-${commentId}`,
  threadId,
  commentId,
  author: { id: 'alice' },
  body,
});
const edit = (commentId: string, threadId: string, body: string): CommentEventInput => ({
  type: 'comment.edited',
  threadId,
  commentId,
  body,
  editorId: 'alice',
});
const approve = (
  commentId: string,
  threadId: string,
  eventId = `approve-${commentId}`,
): CommentEventInput => ({
  type: 'comment.approved',
  eventId,
  acceptedAt: LATER,
  threadId,
  commentId,
  moderatorId: 'mia',
});
const reject = (commentId: string, threadId: string, eventId = `reject-${commentId}`): CommentEventInput => ({
  type: 'comment.rejected',
  eventId,
  threadId,
  commentId,
  moderatorId: 'mia',
  reason: 'off topic',
});

function enrichedOf(out: OutRecord[]): EnrichedEvent {
  const v = JSON.parse(String(out.find((r) => r.topic === TOPICS.commentsEnriched)!.value));
  expect(validate(EnrichedEvent, v)).toMatchObject({ ok: true });
  return v;
}
const indexOf = (out: OutRecord[]) =>
  out.filter((r) => r.topic === TOPICS.enrichCommentsChangelog).map((r) => JSON.parse(String(r.value)));

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected the record to be refused');
}

describe('enrichRecord: approving and rejecting held comments', () => {
  let tables: MemoryTables;
  let deps: EnrichDeps;
  const run = (input: CommentEventInput, t = tables) => enrichRecord(inRecord(input), t, deps);
  beforeEach(() => {
    tables = createTables();
    tables.threads.set('open', { id: 'open', forumId: 'f1', moderation: 'open', closed: false });
    tables.threads.set('pre', { id: 'pre', forumId: 'f1', moderation: 'premoderated', closed: false });
    deps = { burst: createBurstTracker(), spamThreshold: 0.7 };
  });

  it('approves a held comment with what its thread gets: the latest text, its author, creation id and time', () => {
    tables.comments.set('p0', { commentId: 'p0', threadId: 'pre', authorId: 'bob' });
    run({ ...create('c1', 'pre'), parentId: 'p0' } as CommentEventInput);
    run(edit('c1', 'pre', 'hello @carol, *edited* while held'));
    const out = run(approve('c1', 'pre'));
    expect(enrichedOf(out)).toEqual({
      type: 'comment.approved',
      eventId: 'approve-c1',
      threadId: 'pre',
      forumId: 'f1',
      commentId: 'c1',
      acceptedAt: LATER,
      moderatorId: 'mia',
      comment: {
        kind: 'created',
        eventId: 'create-c1',
        author: { id: 'alice', name: 'alice' },
        html: '<p>hello @carol, <em>edited</em> while held</p>',
        mentions: ['carol'],
        parentId: 'p0',
        parentAuthorId: 'bob',
        createdAt: AT,
      },
    });
    const entry = tables.comments.get('c1');
    expect(indexOf(out)).toEqual([entry]);
    expect(entry).toMatchObject({ decided: { verdict: 'approved', eventId: 'approve-c1' } });
    expect(entry!.held).toBeUndefined();
  });

  it('lets an approved comment’s edits and deletes reach its thread', () => {
    run(create('s1', 'open', 'casino viagra https://a.example https://b.example https://c.example'));
    expect(tables.comments.get('s1')).toMatchObject({ held: 'spam' });
    run(approve('s1', 'open'));
    const edited = enrichedOf(run(edit('s1', 'open', 'fine')));
    expect('held' in edited).toBe(false);
    expect(
      'held' in
        enrichedOf(run({ type: 'comment.deleted', threadId: 'open', commentId: 's1', deletedBy: 'alice' })),
    ).toBe(false);
  });

  it('holds an approved comment’s edit on a premoderated thread again, to be approved as an edit', () => {
    run(create('c1', 'pre'));
    run(approve('c1', 'pre'));
    expect(enrichedOf(run(edit('c1', 'pre', 'second thoughts')))).toMatchObject({ held: 'premoderated' });
    expect(tables.comments.get('c1')).toEqual({
      commentId: 'c1',
      threadId: 'pre',
      authorId: 'alice',
      held: 'premoderated',
      pending: { kind: 'edited', html: '<p>second thoughts</p>', mentions: [] },
      createdAt: Date.parse(AT),
    });
    expect(enrichedOf(run(approve('c1', 'pre', 'approve-again')))).toMatchObject({
      comment: { kind: 'edited', html: '<p>second thoughts</p>' },
    });
  });

  it('rejects a held comment for good: its text is dropped, its edits and deletes stay held', () => {
    run(create('c1', 'pre'));
    const out = run(reject('c1', 'pre'));
    expect(enrichedOf(out)).toEqual({
      type: 'comment.rejected',
      eventId: 'reject-c1',
      threadId: 'pre',
      forumId: 'f1',
      commentId: 'c1',
      acceptedAt: AT,
      moderatorId: 'mia',
      reason: 'off topic',
    });
    const entry = {
      commentId: 'c1',
      threadId: 'pre',
      authorId: 'alice',
      held: 'premoderated',
      decided: { verdict: 'rejected', eventId: 'reject-c1' },
      createdAt: Date.parse(AT),
    };
    expect(indexOf(out)).toEqual([entry]);
    expect(tables.comments.get('c1')).toEqual(entry);
    // Even on a thread that is open now.
    tables.threads.set('pre', { id: 'pre', forumId: 'f1', moderation: 'open', closed: false });
    const edited = run(edit('c1', 'pre', 'please'));
    expect(enrichedOf(edited)).toMatchObject({ held: 'premoderated' });
    expect(indexOf(edited)).toEqual([]);
    expect(
      enrichedOf(run({ type: 'comment.deleted', threadId: 'pre', commentId: 'c1', deletedBy: 'alice' })),
    ).toMatchObject({ held: 'premoderated' });
    expect(refusal(() => run(approve('c1', 'pre')))).toMatchObject({ code: 'not_held' });
  });

  it('dead-letters a decision on a comment the thread never had as unknown_comment', () => {
    expect(refusal(() => run(approve('ghost', 'pre')))).toMatchObject({
      code: 'unknown_comment',
      field: 'commentId',
    });
    run(create('c1', 'pre'));
    expect(refusal(() => run(reject('c1', 'open')))).toMatchObject({ code: 'unknown_comment' });
  });

  it('dead-letters a decision on a comment that is not held, or no longer, as not_held', () => {
    run(create('o1', 'open', 'fine'));
    expect(refusal(() => run(approve('o1', 'open')))).toMatchObject({ code: 'not_held', field: 'commentId' });
    expect(refusal(() => run(reject('o1', 'open')))).toMatchObject({ code: 'not_held' });
    run(create('c1', 'pre'));
    run(approve('c1', 'pre'));
    expect(refusal(() => run(approve('c1', 'pre', 'approve-twice')))).toMatchObject({ code: 'not_held' });
    expect(refusal(() => run(reject('c1', 'pre')))).toMatchObject({ code: 'not_held' });
  });

  it('repeats a replayed decision, and a replayed creation of an approved comment goes to its thread', () => {
    run(create('c1', 'pre'));
    const first = enrichedOf(run(approve('c1', 'pre')));
    const again = run(approve('c1', 'pre'));
    expect(enrichedOf(again)).toEqual(first);
    expect(indexOf(again)).toEqual([]);
    expect((first as EnrichedApproved).comment).toMatchObject({ kind: 'created', eventId: 'create-c1' });
    const recreated = run(create('c1', 'pre'));
    expect('held' in enrichedOf(recreated)).toBe(false);
    expect(indexOf(recreated)).toEqual([]);
    expect(tables.comments.get('c1')!.decided).toEqual({ verdict: 'approved', eventId: 'approve-c1' });

    run(create('c2', 'pre'));
    const rejected = enrichedOf(run(reject('c2', 'pre')));
    expect(enrichedOf(run(reject('c2', 'pre')))).toEqual(rejected);
    expect(enrichedOf(run(create('c2', 'pre')))).toMatchObject({ held: 'premoderated' });
  });

  it('writes changelog records from which a restore rebuilds decisions', () => {
    const changelog = [
      ...run(create('a1', 'pre')),
      ...run(approve('a1', 'pre')),
      ...run(create('r1', 'pre')),
      ...run(reject('r1', 'pre')),
    ].filter((r) => r.topic === TOPICS.enrichCommentsChangelog);
    const restored = createTables();
    restored.threads.set('pre', tables.threads.get('pre')!);
    for (const r of changelog) {
      const skipped = applyTableRecord(restored, 'comments', {
        key: Buffer.from(r.key!),
        value: Buffer.from(String(r.value)),
      });
      expect(skipped).toBeUndefined();
    }
    expect(restored.comments.get('a1')).toEqual(tables.comments.get('a1'));
    expect(restored.comments.get('r1')).toEqual(tables.comments.get('r1'));
    expect(refusal(() => run(reject('a1', 'pre'), restored))).toMatchObject({ code: 'not_held' });
    expect(enrichedOf(run(edit('r1', 'pre', 'x'), restored))).toMatchObject({ held: 'premoderated' });
  });
});
