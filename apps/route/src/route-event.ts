import {
  modChannel,
  threadChannel,
  userChannel,
  type ClientCommentCreated,
  type EnrichedCreated,
  type EnrichedDeleted,
  type EnrichedEdited,
} from '@threadcast/contracts';
import type { Delivery } from './delivery-record';

export interface RouteOptions {
  /** Spam score from which a comment is held for moderators. */
  spamThreshold: number;
  /** Most mention notifications one comment sends, so a comment naming everyone fans out little. */
  maxMentions: number;
}

/** Votes are not routed one by one: they go through the score table and the coalescer. */
export type RoutableEvent = EnrichedCreated | EnrichedEdited | EnrichedDeleted;

/**
 * Who gets what. A held comment (premoderated thread or spam) goes only to its forum's
 * moderators: no thread delivery, no notifications. An approved one goes to its thread, to the
 * parent's author as a reply and to each mentioned user, never to its own author.
 *
 * Known gap: edits and deletes go to the thread channel even when the comment was held, because
 * route keeps no per-comment moderation state; clients ignore ids they never saw created.
 */
export function routeEvent(event: RoutableEvent, opts: RouteOptions): Delivery[] {
  switch (event.type) {
    case 'comment.created':
      return routeCreated(event, opts);
    case 'comment.edited':
      return [
        {
          channel: threadChannel(event.threadId),
          event: {
            type: 'comment.edited',
            eventId: event.eventId,
            id: event.commentId,
            threadId: event.threadId,
            html: event.html,
            mentions: event.mentions,
            editedAt: event.acceptedAt,
          },
        },
      ];
    case 'comment.deleted':
      return [
        {
          channel: threadChannel(event.threadId),
          event: {
            type: 'comment.deleted',
            eventId: event.eventId,
            id: event.commentId,
            threadId: event.threadId,
            deletedAt: event.acceptedAt,
          },
        },
      ];
  }
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
  const spam = event.spam.score >= opts.spamThreshold;
  if (spam || event.moderation === 'premoderated') {
    // Spam wins over premoderation as the reason: it is what a moderator needs to know first.
    const held = {
      reason: spam ? 'spam' : 'premoderated',
      spamScore: event.spam.score,
      spamReasons: event.spam.reasons,
    } as const;
    return [{ channel: modChannel(event.forumId), event: { ...created, held } }];
  }
  const out: Delivery[] = [{ channel: threadChannel(event.threadId), event: created }];
  const authorId = event.author.id;
  const notified = new Set<string>([authorId]);
  const parentAuthorId = event.parentId === undefined ? undefined : event.parentAuthorId;
  if (parentAuthorId !== undefined && !notified.has(parentAuthorId)) {
    notified.add(parentAuthorId);
    out.push({ channel: userChannel(parentAuthorId), event: { ...created, reason: 'reply' } });
  }
  let mentioned = 0;
  for (const id of event.mentions) {
    if (mentioned >= opts.maxMentions) break;
    if (notified.has(id)) continue;
    notified.add(id);
    mentioned++;
    out.push({ channel: userChannel(id), event: { ...created, reason: 'mention' } });
  }
  return out;
}
