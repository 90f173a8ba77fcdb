import { Type, type Static } from '@sinclair/typebox';
import { EventId, Id, Timestamp } from './comment-events';
import { EnrichedAuthor, HeldReason, Moderation, PendingComment } from './tables';

/** `comments.enriched` (key = threadId): what enrich adds to each comment event. Internal. */
export { EnrichedAuthor };

const base = { eventId: EventId, threadId: Id, forumId: Id, commentId: Id, acceptedAt: Timestamp };

export const Spam = Type.Object({ score: Type.Number(), reasons: Type.Array(Type.String()) });
export type Spam = Static<typeof Spam>;

export const EnrichedCreated = Type.Object({
  type: Type.Literal('comment.created'),
  ...base,
  author: EnrichedAuthor,
  html: Type.String(),
  mentions: Type.Array(Id),
  parentId: Type.Optional(Id),
  parentAuthorId: Type.Optional(Id),
  moderation: Moderation,
  spam: Spam,
  /** enrich's decision (premoderated thread, or spam score at its threshold): moderators only. */
  held: Type.Optional(HeldReason),
});
export const EnrichedEdited = Type.Object({
  type: Type.Literal('comment.edited'),
  ...base,
  html: Type.String(),
  mentions: Type.Array(Id),
  editorId: Type.Optional(Id),
  /** The edit's own score: an edit is scored like a new comment. */
  spam: Type.Optional(Spam),
  /** Set when the comment is held (before, or because of, this edit): moderators only. */
  held: Type.Optional(HeldReason),
});
export const EnrichedDeleted = Type.Object({
  type: Type.Literal('comment.deleted'),
  ...base,
  /** Set when the deleted comment is held: moderators only. */
  held: Type.Optional(HeldReason),
});
export const EnrichedVoted = Type.Object({
  type: Type.Literal('comment.voted'),
  ...base,
  userId: Id,
  value: Type.Union([Type.Literal(1), Type.Literal(-1)]),
});
/**
 * A moderator approved a held comment: `comment` is what the thread gets (absent for comments held
 * before enrich kept it: then only the moderators hear of the approval).
 */
export const EnrichedApproved = Type.Object({
  type: Type.Literal('comment.approved'),
  ...base,
  moderatorId: Id,
  comment: Type.Optional(PendingComment),
});
/** A moderator rejected a held comment: it stays off its thread for good. */
export const EnrichedRejected = Type.Object({
  type: Type.Literal('comment.rejected'),
  ...base,
  moderatorId: Id,
  reason: Type.Optional(Type.String()),
});
export const EnrichedEvent = Type.Union([
  EnrichedCreated,
  EnrichedEdited,
  EnrichedDeleted,
  EnrichedVoted,
  EnrichedApproved,
  EnrichedRejected,
]);

export type EnrichedCreated = Static<typeof EnrichedCreated>;
export type EnrichedEdited = Static<typeof EnrichedEdited>;
export type EnrichedDeleted = Static<typeof EnrichedDeleted>;
export type EnrichedVoted = Static<typeof EnrichedVoted>;
export type EnrichedApproved = Static<typeof EnrichedApproved>;
export type EnrichedRejected = Static<typeof EnrichedRejected>;
export type EnrichedEvent = Static<typeof EnrichedEvent>;
