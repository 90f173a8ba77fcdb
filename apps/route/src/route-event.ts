import {
  modChannel,
  threadChannel,
  userChannel,
  type ClientCommentCreated,
  type ClientCommentDeleted,
  type ClientCommentEdited,
  type EnrichedApproved,
  type EnrichedCreated,
  type EnrichedDeleted,
  type EnrichedEdited,
  type EnrichedRejected,
} from '@threadcast/contracts';
import type { Delivery } from './delivery-record';

export interface RouteOptions {
  /** Most mention notifications one comment sends, so a comment naming everyone fans out little. */
  maxMentions: number;
}

/** Votes are not routed one by one: they go through the score table and the coalescer. */
export type RoutableEvent =
  EnrichedCreated | EnrichedEdited | EnrichedDeleted | EnrichedApproved | EnrichedRejected;

/**
 * Who gets what. A held comment (enrich decides: premoderated thread, or spam) goes only to its
 * forum's moderators: no thread delivery, no notifications, and so do its edits and deletes: a
 * held comment stays held through them. An approved one goes to its thread, to the parent's
 * author as a reply and to each mentioned user, never to its own author. An edit that enrich
 * holds (it scored as spam) reaches only the moderators; thread readers keep the text they had.
 * A moderator's approval delivers the held comment to its thread as it would have been delivered
 * (same event id, notifications), or the held edit as an edit; approvals and rejections tell the
 * moderators, so their views drop the comment from the held list.
 */
export function routeEvent(event: RoutableEvent, opts: RouteOptions): Delivery[] {
  switch (event.type) {
    case 'comment.created':
      return routeCreated(event, opts);
    case 'comment.edited': {
      const edited: ClientCommentEdited = {
        type: 'comment.edited',
        eventId: event.eventId,
        id: event.commentId,
        threadId: event.threadId,
        html: event.html,
        mentions: event.mentions,
        editedAt: event.acceptedAt,
      };
      if (event.held === undefined) return [{ channel: threadChannel(event.threadId), event: edited }];
      const held = {
        reason: event.held,
        spamScore: event.spam?.score ?? 0,
        spamReasons: event.spam?.reasons ?? [],
      };
      return [{ channel: modChannel(event.forumId), event: { ...edited, held } }];
    }
    case 'comment.deleted': {
      const deleted: ClientCommentDeleted = {
        type: 'comment.deleted',
        eventId: event.eventId,
        id: event.commentId,
        threadId: event.threadId,
        deletedAt: event.acceptedAt,
      };
      if (event.held === undefined) return [{ channel: threadChannel(event.threadId), event: deleted }];
      return [{ channel: modChannel(event.forumId), event: { ...deleted, held: { reason: event.held } } }];
    }
    case 'comment.approved':
      return routeApproved(event, opts);
    case 'comment.rejected':
      return [
        {
          channel: modChannel(event.forumId),
          event: {
            type: 'comment.rejected',
            eventId: event.eventId,
            id: event.commentId,
            threadId: event.threadId,
            moderatorId: event.moderatorId,
            rejectedAt: event.acceptedAt,
            ...(event.reason !== undefined && { reason: event.reason }),
          },
        },
      ];
  }
}

/**
 * Held since it was posted: the thread gets the comment now, with its creation's event id (a
 * replayed creation after the approval is the same event) and the reply and mention
 * notifications it would have sent. Held by an edit: the thread gets the edit.
 */
function routeApproved(event: EnrichedApproved, opts: RouteOptions): Delivery[] {
  const out: Delivery[] = [];
  const pending = event.comment;
  if (pending?.kind === 'created') {
    const created: ClientCommentCreated = {
      type: 'comment.created',
      eventId: pending.eventId,
      id: event.commentId,
      threadId: event.threadId,
      parentId: pending.parentId ?? null,
      author: pending.author,
      html: pending.html,
      mentions: pending.mentions,
      createdAt: pending.createdAt,
    };
    out.push(...deliverCreated(created, pending.parentAuthorId, opts));
  } else if (pending?.kind === 'edited') {
    const edited: ClientCommentEdited = {
      type: 'comment.edited',
      eventId: event.eventId,
      id: event.commentId,
      threadId: event.threadId,
      html: pending.html,
      mentions: pending.mentions,
      editedAt: event.acceptedAt,
    };
    out.push({ channel: threadChannel(event.threadId), event: edited });
  }
  out.push({
    channel: modChannel(event.forumId),
    event: {
      type: 'comment.approved',
      eventId: event.eventId,
      id: event.commentId,
      threadId: event.threadId,
      moderatorId: event.moderatorId,
      approvedAt: event.acceptedAt,
    },
  });
  return out;
}

function routeCreated(event: EnrichedCreated, opts: RouteOptions): Delivery[] {
  const created: ClientCommentCreated = {
    type: 'comment.created',
    eventId: event.eventId,
    id: event.commentId,
    threadId: event.threadId,
    parentId: event.parentId ?? null,
    author: event.author,
    html: event.html,
    mentions: event.mentions,
    createdAt: event.acceptedAt,
  };
  // `moderation` too: a record enriched before enrich decided holds still holds premoderation.
  const reason = event.held ?? (event.moderation === 'premoderated' ? 'premoderated' : undefined);
  if (reason !== undefined) {
    const held = { reason, spamScore: event.spam.score, spamReasons: event.spam.reasons };
    return [{ channel: modChannel(event.forumId), event: { ...created, held } }];
  }
  return deliverCreated(created, event.parentId === undefined ? undefined : event.parentAuthorId, opts);
}

/** A comment on its thread, to its parent's author as a reply and to each user it mentions. */
function deliverCreated(
  created: ClientCommentCreated,
  parentAuthorId: string | undefined,
  opts: RouteOptions,
): Delivery[] {
  const out: Delivery[] = [{ channel: threadChannel(created.threadId), event: created }];
  const notified = new Set<string>([created.author.id]);
  if (parentAuthorId !== undefined && !notified.has(parentAuthorId)) {
    notified.add(parentAuthorId);
    out.push({ channel: userChannel(parentAuthorId), event: { ...created, reason: 'reply' } });
  }
  let mentioned = 0;
  for (const id of created.mentions) {
    if (mentioned >= opts.maxMentions) break;
    if (notified.has(id)) continue;
    notified.add(id);
    mentioned++;
    out.push({ channel: userChannel(id), event: { ...created, reason: 'mention' } });
  }
  return out;
}
