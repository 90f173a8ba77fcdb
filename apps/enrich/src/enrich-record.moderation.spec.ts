import {
  commentRecord,
  EnrichedEvent,
  TOPICS,
  validate,
  type CommentEventInput,
} from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { createBurstTracker } from './burst-tracker';
import { enrichRecord, type EnrichDeps } from './enrich-record';
import { applyTableRecord, createTables, type MemoryTables } from './tables';

// Issue 15, point 5: edits and deletes must not go around moderation.

const AT = '2026-11-27T10:00:00.000Z';
const SPAM = 'casino viagra https://a.example https://b.example https://c.example';
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

const create = (
  commentId: string,
  threadId: string,
  authorId: string,
  body = 'hello',
): CommentEventInput => ({
  type: 'comment.created',
  threadId,
  commentId,
  author: { id: authorId },
  body,
});
const edit = (
  commentId: string,
  editorId: string,
  over: Partial<Extract<CommentEventInput, { type: 'comment.edited' }>> = {},
): CommentEventInput => ({
  type: 'comment.edited',
  threadId: 'open',
  commentId,
  body: 'edited',
  editorId,
  ...over,
});
const del = (
  commentId: string,
  deletedBy: string,
  over: Partial<Extract<CommentEventInput, { type: 'comment.deleted' }>> = {},
): CommentEventInput => ({ type: 'comment.deleted', threadId: 'open', commentId, deletedBy, ...over });

function enrichedOf(out: OutRecord[]): EnrichedEvent {
  const v = JSON.parse(String(out.find((r) => r.topic === TOPICS.commentsEnriched)!.value));
  expect(validate(EnrichedEvent, v)).toMatchObject({ ok: true });
  return v;
}
const indexOf = (out: OutRecord[]) => out.filter((r) => r.topic === TOPICS.enrichCommentsChangelog);

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected the record to be refused');
}

describe('enrichRecord: edits and deletes respect authorship and moderation', () => {
  let tables: MemoryTables;
  let deps: EnrichDeps;
  const run = (input: CommentEventInput, t = tables) => enrichRecord(inRecord(input), t, deps);
  beforeEach(() => {
    tables = createTables();
    tables.threads.set('open', { id: 'open', forumId: 'f1', moderation: 'open', closed: false });
    tables.threads.set('pre', { id: 'pre', forumId: 'f1', moderation: 'premoderated', closed: false });
    deps = { burst: createBurstTracker(), spamThreshold: 0.7 };
  });

  it('refuses an edit or delete by anyone but the author as not_author', () => {
    run(create('c1', 'open', 'alice'));
    expect(refusal(() => run(edit('c1', 'mallory')))).toMatchObject({
      code: 'not_author',
      field: 'editorId',
    });
    expect(refusal(() => run(del('c1', 'mallory')))).toMatchObject({
      code: 'not_author',
      field: 'deletedBy',
    });
    expect(enrichedOf(run(edit('c1', 'alice')))).toMatchObject({ type: 'comment.edited', editorId: 'alice' });
    expect(enrichedOf(run(del('c1', 'alice')))).toMatchObject({ type: 'comment.deleted' });
  });

  it('lets a moderator edit or delete someone else’s comment', () => {
    run(create('c1', 'open', 'alice'));
    expect(enrichedOf(run(edit('c1', 'mod', { asModerator: true })))).toMatchObject({ editorId: 'mod' });
    expect(enrichedOf(run(del('c1', 'mod', { asModerator: true })))).toMatchObject({ commentId: 'c1' });
  });

  it('refuses an edit or delete of a comment the thread never had as unknown_comment', () => {
    expect(refusal(() => run(edit('ghost', 'alice')))).toMatchObject({
      code: 'unknown_comment',
      field: 'commentId',
    });
    expect(refusal(() => run(del('ghost', 'alice')))).toMatchObject({ code: 'unknown_comment' });
    // Known, but in another thread: an edit cannot move a comment (or its author's rights) across threads.
    run(create('c2', 'pre', 'alice'));
    expect(refusal(() => run(edit('c2', 'alice')))).toMatchObject({ code: 'unknown_comment' });
  });

  it('refuses a creation that reuses a comment id under another author or thread', () => {
    run(create('c1', 'open', 'alice'));
    expect(refusal(() => run(create('c1', 'open', 'mallory')))).toMatchObject({ code: 'comment_exists' });
    expect(refusal(() => run(create('c1', 'pre', 'alice')))).toMatchObject({ code: 'comment_exists' });
    expect(tables.comments.get('c1')).toMatchObject({ authorId: 'alice', threadId: 'open' });
    // The same creation again (at-least-once redelivery) passes.
    expect(enrichedOf(run(create('c1', 'open', 'alice')))).toMatchObject({ type: 'comment.created' });
  });

  it('keeps a held comment held through its edits and deletes', () => {
    const created = run(create('c1', 'pre', 'alice'));
    expect(enrichedOf(created)).toMatchObject({ held: 'premoderated' });
    expect(tables.comments.get('c1')).toMatchObject({
      commentId: 'c1',
      threadId: 'pre',
      authorId: 'alice',
      held: 'premoderated',
    });
    const edited = run(edit('c1', 'alice', { threadId: 'pre', body: 'harmless now' }));
    expect(enrichedOf(edited)).toMatchObject({ type: 'comment.edited', held: 'premoderated' });
    // Still held; what an approval would deliver is the edited text now.
    expect(indexOf(edited).map((r) => JSON.parse(String(r.value)))).toEqual([
      expect.objectContaining({
        held: 'premoderated',
        pending: expect.objectContaining({ kind: 'created' }),
      }),
    ]);
    expect(tables.comments.get('c1')!.pending).toMatchObject({ html: '<p>harmless now</p>' });
    expect(enrichedOf(run(del('c1', 'alice', { threadId: 'pre' })))).toMatchObject({
      type: 'comment.deleted',
      held: 'premoderated',
    });
  });

  it('holds a spam comment at creation, and its edits and deletes', () => {
    expect(enrichedOf(run(create('s1', 'open', 'alice', SPAM)))).toMatchObject({ held: 'spam' });
    expect(enrichedOf(run(edit('s1', 'alice', { body: 'sorry' })))).toMatchObject({ held: 'spam' });
    expect(enrichedOf(run(del('s1', 'alice')))).toMatchObject({ held: 'spam' });
  });

  it('scores an edit like a creation: spam edited into an approved comment holds it from then on', () => {
    const created = enrichedOf(run(create('c1', 'open', 'alice')));
    expect('held' in created).toBe(false);
    const edited = run(edit('c1', 'alice', { body: SPAM }));
    const event = enrichedOf(edited);
    expect(event).toMatchObject({
      held: 'spam',
      spam: { reasons: expect.arrayContaining(['blocklist', 'links']) },
    });
    expect((event as { spam: { score: number } }).spam.score).toBeGreaterThanOrEqual(0.7);
    // The thread has the comment already: an approval would deliver this edit.
    const pending = { kind: 'edited', html: event.type === 'comment.edited' ? event.html : '', mentions: [] };
    const entry = {
      commentId: 'c1',
      threadId: 'open',
      authorId: 'alice',
      held: 'spam',
      pending,
      createdAt: Date.parse(AT),
    };
    expect(indexOf(edited)).toEqual([
      {
        topic: TOPICS.enrichCommentsChangelog,
        key: 'c1',
        value: Buffer.from(JSON.stringify(entry)),
        changelog: true,
      },
    ]);
    expect(enrichedOf(run(edit('c1', 'alice', { body: 'clean again' })))).toMatchObject({ held: 'spam' });
    expect(enrichedOf(run(del('c1', 'alice')))).toMatchObject({ held: 'spam' });
  });

  it('leaves an approved comment’s clean edit unheld and scored', () => {
    run(create('c1', 'open', 'alice'));
    const event = enrichedOf(run(edit('c1', 'alice', { body: 'a typo fixed' })));
    expect(event).toMatchObject({ spam: { score: 0, reasons: [] } });
    expect('held' in event).toBe(false);
  });

  it('writes changelog records from which a restore rebuilds authorship and held status', () => {
    const changelog = [
      ...run(create('a1', 'open', 'alice')),
      ...run(create('p1', 'pre', 'alice')),
      ...run(create('b1', 'open', 'bob')),
      ...run(edit('b1', 'bob', { body: SPAM })),
    ].filter((r) => r.topic === TOPICS.enrichCommentsChangelog);
    const restored = createTables();
    restored.threads.set('open', tables.threads.get('open')!);
    for (const r of changelog) {
      const skipped = applyTableRecord(restored, 'comments', {
        key: Buffer.from(r.key!),
        value: Buffer.from(String(r.value)),
      });
      expect(skipped).toBeUndefined();
    }
    expect(restored.comments.get('a1')).toEqual({
      commentId: 'a1',
      threadId: 'open',
      authorId: 'alice',
      createdAt: Date.parse(AT),
    });
    expect(restored.comments.get('p1')).toMatchObject({ held: 'premoderated' });
    expect(restored.comments.get('b1')).toMatchObject({ authorId: 'bob', held: 'spam' });
    // A fresh pod after the restore: same answers as the pod that wrote them.
    expect(refusal(() => run(edit('a1', 'bob'), restored))).toMatchObject({ code: 'not_author' });
    expect(enrichedOf(run(edit('b1', 'bob', { body: 'ok' }), restored))).toMatchObject({ held: 'spam' });
    expect(enrichedOf(run(del('p1', 'alice', { threadId: 'pre' }), restored))).toMatchObject({
      held: 'premoderated',
    });
  });
});
