import type { EnrichedApproved, EnrichedRejected } from '@threadcast/contracts';
import { routeEvent, type RouteOptions } from './route-event';

// Issue 16: a moderator's decision on a held comment.

const opts: RouteOptions = { maxMentions: 20 };
const CREATED_AT = '2026-11-27T10:00:00.000Z';
const DECIDED_AT = '2026-11-27T10:05:00.000Z';
const approved: EnrichedApproved = {
  type: 'comment.approved',
  eventId: 'ap1',
  threadId: 't1',
  forumId: 'f1',
  commentId: 'c1',
  acceptedAt: DECIDED_AT,
  moderatorId: 'mia',
  comment: {
    kind: 'created',
    eventId: 'e1',
    author: { id: 'alice', name: 'Alice' },
    html: '<p>hi @carol</p>',
    mentions: ['carol', 'alice'],
    parentId: 'c0',
    parentAuthorId: 'bob',
    createdAt: CREATED_AT,
  },
};
const modApproved = {
  channel: 'mod:f1',
  event: {
    type: 'comment.approved',
    eventId: 'ap1',
    id: 'c1',
    threadId: 't1',
    moderatorId: 'mia',
    approvedAt: DECIDED_AT,
  },
};

describe('routeEvent: approvals and rejections', () => {
  it('delivers an approved comment to its thread as a normal comment, notifies, and tells the moderators', () => {
    const created = {
      type: 'comment.created',
      eventId: 'e1',
      id: 'c1',
      threadId: 't1',
      parentId: 'c0',
      author: { id: 'alice', name: 'Alice' },
      html: '<p>hi @carol</p>',
      mentions: ['carol', 'alice'],
      createdAt: CREATED_AT,
    };
    expect(routeEvent(approved, opts)).toEqual([
      { channel: 'thread:t1', event: created },
      { channel: 'user:bob', event: { ...created, reason: 'reply' } },
      { channel: 'user:carol', event: { ...created, reason: 'mention' } },
      modApproved,
    ]);
  });

  it('delivers the approved edit of a comment its thread already has as an edit', () => {
    const edit: EnrichedApproved = {
      ...approved,
      comment: { kind: 'edited', html: '<p>fixed</p>', mentions: [] },
    };
    expect(routeEvent(edit, opts)).toEqual([
      {
        channel: 'thread:t1',
        event: {
          type: 'comment.edited',
          eventId: 'ap1',
          id: 'c1',
          threadId: 't1',
          html: '<p>fixed</p>',
          mentions: [],
          editedAt: DECIDED_AT,
        },
      },
      modApproved,
    ]);
  });

  it('only tells the moderators of an approval without a pending comment (held before enrich kept it)', () => {
    const { comment: _none, ...bare } = approved;
    expect(routeEvent(bare, opts)).toEqual([modApproved]);
  });

  it('tells only the moderators of a rejection, never the thread', () => {
    const rejected: EnrichedRejected = {
      type: 'comment.rejected',
      eventId: 'rj1',
      threadId: 't1',
      forumId: 'f1',
      commentId: 'c1',
      acceptedAt: DECIDED_AT,
      moderatorId: 'mia',
      reason: 'off topic',
    };
    expect(routeEvent(rejected, opts)).toEqual([
      {
        channel: 'mod:f1',
        event: {
          type: 'comment.rejected',
          eventId: 'rj1',
          id: 'c1',
          threadId: 't1',
          moderatorId: 'mia',
          rejectedAt: DECIDED_AT,
          reason: 'off topic',
        },
      },
    ]);
  });
});
