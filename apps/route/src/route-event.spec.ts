import type { EnrichedCreated } from '@threadcast/contracts';
import { routeEvent, type RouteOptions } from './route-event';

const opts: RouteOptions = { maxMentions: 20 };
const created: EnrichedCreated = {
  type: 'comment.created',
  eventId: 'e1',
  threadId: 't1',
  forumId: 'f1',
  commentId: 'c1',
  acceptedAt: '2026-11-27T10:00:00.000Z',
  author: { id: 'alice', name: 'Alice' },
  html: '<p>hi</p>',
  mentions: [],
  moderation: 'open',
  spam: { score: 0.1, reasons: [] },
};
const channels = (c: EnrichedCreated, o = opts) => routeEvent(c, o).map((d) => d.channel);

describe('routeEvent: comment.created', () => {
  it('sends an approved comment to its thread as the client sees it', () => {
    expect(routeEvent(created, opts)).toEqual([
      {
        channel: 'thread:t1',
        event: {
          type: 'comment.created',
          eventId: 'e1',
          id: 'c1',
          threadId: 't1',
          parentId: null,
          author: { id: 'alice', name: 'Alice' },
          html: '<p>hi</p>',
          mentions: [],
          createdAt: '2026-11-27T10:00:00.000Z',
        },
      },
    ]);
  });

  it('holds a premoderated comment for the forum moderators only', () => {
    const reply = {
      ...created,
      moderation: 'premoderated' as const,
      held: 'premoderated' as const,
      parentId: 'c0',
      parentAuthorId: 'bob',
      mentions: ['carol'],
    };
    const out = routeEvent(reply, opts);
    expect(out).toHaveLength(1);
    expect(out[0]!.channel).toBe('mod:f1');
    expect(out[0]!.event).toMatchObject({
      id: 'c1',
      parentId: 'c0',
      held: { reason: 'premoderated', spamScore: 0.1, spamReasons: [] },
    });
  });

  it('holds what enrich held as spam, even on an open thread', () => {
    const spam = {
      ...created,
      spam: { score: 0.7, reasons: ['links'] },
      mentions: ['carol'],
      held: 'spam' as const,
    };
    const out = routeEvent(spam, opts);
    expect(out.map((d) => d.channel)).toEqual(['mod:f1']);
    expect(out[0]!.event).toMatchObject({ held: { reason: 'spam', spamScore: 0.7, spamReasons: ['links'] } });
    const { held: _held, ...approved } = spam;
    expect(channels(approved)).toEqual(['thread:t1', 'user:carol']);
  });

  it('holds a premoderated comment enriched before enrich decided holds', () => {
    expect(channels({ ...created, moderation: 'premoderated' })).toEqual(['mod:f1']);
  });

  it('notifies the parent author of a reply, and each mentioned user once', () => {
    const reply = {
      ...created,
      parentId: 'c0',
      parentAuthorId: 'bob',
      mentions: ['carol', 'bob', 'dave', 'carol'],
    };
    const out = routeEvent(reply, opts);
    expect(out.map((d) => [d.channel, 'reason' in d.event ? d.event.reason : undefined])).toEqual([
      ['thread:t1', undefined],
      ['user:bob', 'reply'],
      ['user:carol', 'mention'],
      ['user:dave', 'mention'],
    ]);
    expect(out[1]!.event).toMatchObject({ type: 'comment.created', id: 'c1', parentId: 'c0' });
  });

  it('never notifies the author about their own comment', () => {
    const selfReply = { ...created, parentId: 'c0', parentAuthorId: 'alice', mentions: ['alice'] };
    expect(channels(selfReply)).toEqual(['thread:t1']);
  });

  it('ignores a parent author without a parent, and caps mentions', () => {
    expect(channels({ ...created, parentAuthorId: 'bob' })).toEqual(['thread:t1']);
    const many = { ...created, mentions: ['a', 'b', 'c', 'd'] };
    expect(channels(many, { ...opts, maxMentions: 2 })).toEqual(['thread:t1', 'user:a', 'user:b']);
  });
});

describe('routeEvent: edits and deletes', () => {
  const base = {
    eventId: 'e2',
    threadId: 't1',
    forumId: 'f1',
    commentId: 'c1',
    acceptedAt: '2026-11-27T10:05:00.000Z',
  };

  it('sends an edit to the thread', () => {
    expect(
      routeEvent({ ...base, type: 'comment.edited', html: '<p>new</p>', mentions: ['bob'] }, opts),
    ).toEqual([
      {
        channel: 'thread:t1',
        event: {
          type: 'comment.edited',
          eventId: 'e2',
          id: 'c1',
          threadId: 't1',
          html: '<p>new</p>',
          mentions: ['bob'],
          editedAt: '2026-11-27T10:05:00.000Z',
        },
      },
    ]);
  });

  it('sends a delete to the thread', () => {
    expect(routeEvent({ ...base, type: 'comment.deleted' }, opts)).toEqual([
      {
        channel: 'thread:t1',
        event: {
          type: 'comment.deleted',
          eventId: 'e2',
          id: 'c1',
          threadId: 't1',
          deletedAt: '2026-11-27T10:05:00.000Z',
        },
      },
    ]);
  });
});

describe('routeEvent: edits and deletes of held comments', () => {
  const base = {
    eventId: 'e3',
    threadId: 't1',
    forumId: 'f1',
    commentId: 'c1',
    acceptedAt: '2026-11-27T10:05:00.000Z',
  };

  it('sends the edit of a held comment to the moderators only, with its score', () => {
    const out = routeEvent(
      {
        ...base,
        type: 'comment.edited',
        html: '<p>new</p>',
        mentions: ['bob'],
        editorId: 'alice',
        spam: { score: 0.9, reasons: ['blocklist'] },
        held: 'spam',
      },
      opts,
    );
    expect(out).toEqual([
      {
        channel: 'mod:f1',
        event: {
          type: 'comment.edited',
          eventId: 'e3',
          id: 'c1',
          threadId: 't1',
          html: '<p>new</p>',
          mentions: ['bob'],
          editedAt: '2026-11-27T10:05:00.000Z',
          held: { reason: 'spam', spamScore: 0.9, spamReasons: ['blocklist'] },
        },
      },
    ]);
  });

  it('sends the delete of a held comment to the moderators only', () => {
    expect(routeEvent({ ...base, type: 'comment.deleted', held: 'premoderated' }, opts)).toEqual([
      {
        channel: 'mod:f1',
        event: {
          type: 'comment.deleted',
          eventId: 'e3',
          id: 'c1',
          threadId: 't1',
          deletedAt: '2026-11-27T10:05:00.000Z',
          held: { reason: 'premoderated' },
        },
      },
    ]);
  });
});
