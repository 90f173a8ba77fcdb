import {
  commentRecord,
  EnrichedEvent,
  TOPICS,
  validate,
  type CommentEventInput,
} from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import { createBurstTracker } from './burst-tracker';
import { DEFAULT_FORUM_ID, enrichRecord, type EnrichDeps } from './enrich-record';
import { createTables, type MemoryTables } from './tables';

const AT = '2026-11-27T10:00:00.000Z';
let offset = 0;

function inRecord(input: CommentEventInput, headers: Record<string, string> = {}): InRecord {
  const r = commentRecord({ eventId: `e${offset}`, acceptedAt: AT, ...input } as CommentEventInput);
  return {
    topic: r.topic,
    partition: 0,
    offset: String(offset++),
    key: Buffer.from(r.key),
    value: r.value,
    headers: { ...r.headers, ...headers },
    timestamp: '0',
  };
}

const raw = (value: string | null, key: string | null = 't1'): InRecord => ({
  topic: TOPICS.comments,
  partition: 0,
  offset: '0',
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers: {},
  timestamp: '0',
});

/** The enriched event of an output, checked against the contract. */
function enrichedOf(out: OutRecord[]): EnrichedEvent {
  const rec = out.find((r) => r.topic === TOPICS.commentsEnriched)!;
  expect(rec.key).toBe(JSON.parse(String(rec.value)).threadId);
  const v = JSON.parse(String(rec.value));
  expect(validate(EnrichedEvent, v)).toMatchObject({ ok: true });
  return v;
}

const created = (
  over: Partial<Extract<CommentEventInput, { type: 'comment.created' }>> = {},
): CommentEventInput => ({
  type: 'comment.created',
  threadId: 't1',
  commentId: 'c1',
  author: { id: 'u1' },
  body: 'Hello **@bob**, see https://example.com',
  ...over,
});

describe('enrichRecord', () => {
  let tables: MemoryTables;
  let deps: EnrichDeps;
  let spamSeen: number[];
  beforeEach(() => {
    tables = createTables();
    tables.users.set('u1', { id: 'u1', name: 'Ada', avatarUrl: 'https://img.example/ada.png' });
    tables.threads.set('t1', { id: 't1', forumId: 'f1', moderation: 'premoderated', closed: false });
    spamSeen = [];
    deps = {
      burst: createBurstTracker(),
      spamThreshold: 0.7,
      observeSpam: (s) => spamSeen.push(s),
    };
  });

  it('enriches a new comment and indexes it', () => {
    const out = enrichRecord(inRecord(created({ eventId: 'ev1' })), tables, deps);
    expect(enrichedOf(out)).toEqual({
      type: 'comment.created',
      eventId: 'ev1',
      threadId: 't1',
      forumId: 'f1',
      commentId: 'c1',
      acceptedAt: AT,
      author: { id: 'u1', name: 'Ada', avatarUrl: 'https://img.example/ada.png' },
      html: '<p>Hello <strong>@bob</strong>, see <a href="https://example.com" rel="nofollow ugc noopener">https://example.com</a></p>',
      mentions: ['bob'],
      moderation: 'premoderated',
      spam: { score: 0, reasons: [] },
      held: 'premoderated',
    });
    // Held: the index keeps what an approval will deliver to the thread.
    const entry = {
      commentId: 'c1',
      threadId: 't1',
      authorId: 'u1',
      held: 'premoderated',
      pending: {
        kind: 'created',
        eventId: 'ev1',
        author: { id: 'u1', name: 'Ada', avatarUrl: 'https://img.example/ada.png' },
        html: '<p>Hello <strong>@bob</strong>, see <a href="https://example.com" rel="nofollow ugc noopener">https://example.com</a></p>',
        mentions: ['bob'],
        createdAt: AT,
      },
      createdAt: Date.parse(AT),
    };
    expect(out[1]).toEqual({
      topic: TOPICS.enrichCommentsChangelog,
      key: 'c1',
      value: Buffer.from(JSON.stringify(entry)),
      changelog: true,
    });
    expect(tables.comments.get('c1')).toEqual(entry);
    expect(spamSeen).toEqual([0]);
  });

  it('carries over event id and accept time, sets the enriched schema, and leaves trace context to libs/kafka', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const out = enrichRecord(inRecord(created({ eventId: 'ev2' }), { traceparent }), tables, deps);
    expect(out[0]!.headers).toEqual({
      'tc-schema': 'comments.enriched.v1',
      'tc-event-id': 'ev2',
      'tc-accepted-at': String(Date.parse(AT)),
    });
    // The index entry is a bare changelog record: no headers, no trace context.
    expect(out[1]).toMatchObject({ topic: TOPICS.enrichCommentsChangelog, changelog: true });
    expect(out[1]!.headers).toBeUndefined();
  });

  it('fills the headers from the event when a direct producer left them out', () => {
    const r = inRecord(created({ eventId: 'ev3' }));
    r.headers = { 'tc-accepted-at': 'yesterday' };
    expect(enrichRecord(r, tables, deps)[0]!.headers).toEqual({
      'tc-schema': 'comments.enriched.v1',
      'tc-event-id': 'ev3',
      'tc-accepted-at': String(Date.parse(AT)),
    });
  });

  it('falls back to the event’s author name, then the id, for unknown authors', () => {
    const named = enrichedOf(
      enrichRecord(inRecord(created({ author: { id: 'u9', name: 'Nine' } })), tables, deps),
    );
    expect(named).toMatchObject({ author: { id: 'u9', name: 'Nine' } });
    const bare = enrichedOf(
      enrichRecord(inRecord(created({ commentId: 'c8', author: { id: 'u8' } })), tables, deps),
    );
    expect(bare).toMatchObject({ author: { id: 'u8', name: 'u8' } });
    expect('avatarUrl' in (bare as { author: object }).author).toBe(false);
  });

  it('puts comments on unknown threads in the default forum, open', () => {
    const e = enrichedOf(enrichRecord(inRecord(created({ threadId: 't-new' })), tables, deps));
    expect(e).toMatchObject({ forumId: DEFAULT_FORUM_ID, moderation: 'open' });
  });

  it('dead-letters a new comment on a closed thread, but lets edits, deletes and votes through', () => {
    tables.comments.set('c1', { commentId: 'c1', threadId: 't1', authorId: 'u1' });
    tables.threads.set('t1', { id: 't1', forumId: 'f1', moderation: 'open', closed: true });
    expect(() => enrichRecord(inRecord(created()), tables, deps)).toThrow(
      expect.objectContaining({ code: 'thread_closed', field: 'threadId' }),
    );
    expect(tables.comments.size).toBe(1);
    const del = inRecord({ type: 'comment.deleted', threadId: 't1', commentId: 'c1', deletedBy: 'u1' });
    expect(enrichedOf(enrichRecord(del, tables, deps))).toMatchObject({
      type: 'comment.deleted',
      forumId: 'f1',
    });
  });

  it('names the parent’s author of a reply, even one indexed earlier in the same batch', () => {
    enrichRecord(inRecord(created({ commentId: 'p1', author: { id: 'u1' } })), tables, deps);
    const reply = enrichRecord(
      inRecord(created({ commentId: 'r1', parentId: 'p1', author: { id: 'u2' } })),
      tables,
      deps,
    );
    expect(enrichedOf(reply)).toMatchObject({ parentId: 'p1', parentAuthorId: 'u1' });
  });

  it('leaves parentAuthorId out when the parent is unknown or in another thread', () => {
    const unknown = enrichedOf(
      enrichRecord(inRecord(created({ commentId: 'r2', parentId: 'nope' })), tables, deps),
    );
    expect(unknown).toMatchObject({ parentId: 'nope' });
    expect('parentAuthorId' in unknown).toBe(false);
    tables.comments.set('elsewhere', { commentId: 'elsewhere', threadId: 't2', authorId: 'u7' });
    const foreign = enrichedOf(
      enrichRecord(inRecord(created({ commentId: 'r3', parentId: 'elsewhere' })), tables, deps),
    );
    expect('parentAuthorId' in foreign).toBe(false);
  });

  it('renders edits and passes deletes and votes through with the forum', () => {
    tables.comments.set('c1', { commentId: 'c1', threadId: 't1', authorId: 'u1' });
    const edit = inRecord({
      type: 'comment.edited',
      threadId: 't1',
      commentId: 'c1',
      body: '<b>@ada</b>',
      editorId: 'u1',
    });
    expect(enrichedOf(enrichRecord(edit, tables, deps))).toMatchObject({
      type: 'comment.edited',
      forumId: 'f1',
      html: '<p>&lt;b&gt;@ada&lt;/b&gt;</p>',
      mentions: ['ada'],
      editorId: 'u1',
    });
    const vote = inRecord({
      type: 'comment.voted',
      threadId: 't1',
      commentId: 'c1',
      userId: 'u2',
      value: -1,
    });
    const out = enrichRecord(vote, tables, deps);
    expect(out).toHaveLength(1);
    expect(enrichedOf(out)).toMatchObject({ type: 'comment.voted', forumId: 'f1', userId: 'u2', value: -1 });
  });

  it('scores an author’s burst as spam', () => {
    let last: EnrichedEvent | undefined;
    for (let i = 0; i < 6; i++)
      last = enrichedOf(enrichRecord(inRecord(created({ commentId: `b${i}`, body: 'hi' })), tables, deps));
    expect(last).toMatchObject({ spam: { score: 0.45, reasons: ['burst'] } });
  });

  it.each([
    ['no value', raw(null), 'missing_value', undefined],
    ['bad JSON', raw('{"type":'), 'invalid_json', undefined],
    ['unknown type', raw('{"type":"comment.exploded"}'), 'unknown_type', 'type'],
    [
      'schema violation',
      raw(
        JSON.stringify({
          type: 'comment.deleted',
          eventId: 'e',
          threadId: 't1',
          commentId: 'has space',
          deletedBy: 'u1',
          acceptedAt: AT,
        }),
      ),
      'schema_violation',
      'commentId',
    ],
  ])('dead-letters %s', (_what, record, code, field) => {
    let err: unknown;
    try {
      enrichRecord(record, tables, deps);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PoisonRecordError);
    expect(err).toMatchObject({ code, field });
  });

  it('dead-letters a record whose key is not its thread', () => {
    const r = inRecord(created());
    expect(() => enrichRecord({ ...r, key: Buffer.from('t2') }, tables, deps)).toThrow(
      expect.objectContaining({ code: 'key_mismatch' }),
    );
    expect(() => enrichRecord({ ...r, key: null }, tables, deps)).toThrow(
      expect.objectContaining({ code: 'missing_key' }),
    );
  });
});
