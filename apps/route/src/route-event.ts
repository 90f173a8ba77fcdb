import {
  modChannel,
  threadChannel,
  userChannel,
  type ClientCommentCreated,
  type ClientCommentDeleted,
  type ClientCommentEdited,
  type EnrichedCreated,
  type EnrichedDeleted,
  type EnrichedEdited,
} from '@threadcast/contracts';
import type { Delivery } from './delivery-record';

export interface RouteOptions {
  /** Most mention notifications one comment sends, so a comment naming everyone fans out little. */
  maxMentions: number;
}

/** Votes are not routed one by one: they go through the score table and the coalescer. */
export type RoutableEvent = EnrichedCreated | EnrichedEdited | EnrichedDeleted;

/**
 * Who gets what. A held comment (enrich decides: premoderated thread, or spam) goes only to its
 * forum's moderators: no thread delivery, no notifications, and so do its edits and deletes: a
 * held comment stays held through them. An approved one goes to its thread, to the parent's
 * author as a reply and to each mentioned user, never to its own author. An edit that enrich
 * holds (it scored as spam) reaches only the moderators; thread readers keep the text they had.
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
  // `moderation` too: a record enriched before enrich decided holds still holds premoderation.
  const reason = event.held ?? (event.moderation === 'premoderated' ? 'premoderated' : undefined);
  if (reason !== undefined) {
    const held = { reason, spamScore: event.spam.score, spamReasons: event.spam.reasons };
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
