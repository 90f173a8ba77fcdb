import type { ClientEvent } from '@threadcast/contracts';
import {
  apply,
  decidedFrom,
  emptyThread,
  heldFrom,
  initials,
  isOwn,
  latencyMs,
  presenceText,
  threadIdFrom,
  userIdFor,
} from './thread-state';

const created = (id: string): ClientEvent => ({
  type: 'comment.created',
  eventId: `e-${id}`,
  id,
  threadId: 't1',
  parentId: null,
  author: { id: 'u1', name: 'Ada Lovelace' },
  html: '<p>hi</p>',
  mentions: [],
  createdAt: '2030-01-01T00:00:00.000Z',
});

describe('thread state', () => {
  it('adds a comment once, then applies edits, scores and deletes to it', () => {
    const s = emptyThread();
    expect(apply(s, created('c1'))).toMatchObject({ kind: 'added', comment: { id: 'c1', score: 0 } });
    expect(apply(s, created('c1'))).toBeUndefined();
    const base = { eventId: 'x', id: 'c1', threadId: 't1' };
    apply(s, { ...base, type: 'comment.edited', html: '<p>hey</p>', mentions: [], editedAt: 'x' });
    apply(s, { ...base, type: 'comment.score', score: 3, up: 4, down: 1, at: 'x' });
    expect(s.comments.get('c1')).toMatchObject({ html: '<p>hey</p>', edited: true, score: 3 });
    expect(apply(s, { ...base, type: 'comment.deleted', deletedAt: 'x' })).toMatchObject({
      kind: 'updated',
      comment: { deleted: true, html: '' },
    });
  });

  it('ignores events about comments it never saw created', () => {
    const s = emptyThread();
    const e: ClientEvent = {
      type: 'comment.score',
      eventId: 'x',
      id: 'old',
      threadId: 't1',
      score: 1,
      up: 1,
      down: 0,
      at: 'x',
    };
    expect(apply(s, e)).toBeUndefined();
    expect(s.comments.size).toBe(0);
  });
});

describe('page helpers', () => {
  it('makes initials', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('  grace  ')).toBe('GR');
    expect(initials('Jean Baptiste Joseph Fourier')).toBe('JF');
    expect(initials('')).toBe('?');
  });

  it('measures accept to shown, and refuses a bad time', () => {
    expect(latencyMs('2030-01-01T00:00:00.000Z', Date.parse('2030-01-01T00:00:00.042Z'))).toBe(42);
    expect(latencyMs('nope', 0)).toBeUndefined();
  });

  it('reads thread ids and makes user ids ingest accepts', () => {
    expect(threadIdFrom('#t-hello')).toBe('t-hello');
    expect(threadIdFrom('bad id')).toBeUndefined();
    expect(userIdFor('Ada Lovelace!', 'x1')).toBe('u-ada-lovelace-x1');
    expect(userIdFor('***', 'x1')).toBe('u-guest-x1');
    expect(presenceText(2)).toBe('2 reading now');
  });

  it('reads a held comment off a mod channel event, with why it is held', () => {
    const base = created('c7') as Extract<ClientEvent, { type: 'comment.created' }>;
    expect(heldFrom(base)).toBeUndefined();
    expect(
      heldFrom({ ...base, held: { reason: 'spam', spamScore: 0.9, spamReasons: ['links', 'blocklist'] } }),
    ).toMatchObject({ id: 'c7', threadId: 't1', reason: 'spam', detail: 'spam score 0.9: links, blocklist' });
    expect(
      heldFrom({ ...base, held: { reason: 'premoderated', spamScore: 0, spamReasons: [] } }),
    ).toMatchObject({ reason: 'premoderated', detail: '' });
    expect(heldFrom({ ...base, type: 'comment.deleted', deletedAt: 'x' } as ClientEvent)).toBeUndefined();
  });

  it('lets only the author edit or delete a comment, and nobody a deleted one', () => {
    const s = emptyThread();
    const change = apply(s, created('c1'))!;
    expect(isOwn(change.comment, 'u1')).toBe(true);
    expect(isOwn(change.comment, 'u2')).toBe(false);
    apply(s, { type: 'comment.deleted', eventId: 'd', id: 'c1', threadId: 't1', deletedAt: 'x' });
    expect(isOwn(change.comment, 'u1')).toBe(false);
  });

  it('tells a moderator view which held comment was approved or rejected', () => {
    const decision = { eventId: 'd1', id: 'c1', threadId: 't1', moderatorId: 'm1' };
    const at = '2030-01-01T00:00:00.000Z';
    expect(decidedFrom({ type: 'comment.approved', ...decision, approvedAt: at })).toEqual({
      id: 'c1',
      verdict: 'approved',
    });
    expect(decidedFrom({ type: 'comment.rejected', ...decision, rejectedAt: at })).toEqual({
      id: 'c1',
      verdict: 'rejected',
    });
    expect(decidedFrom(created('c1'))).toBeUndefined();
  });
});
