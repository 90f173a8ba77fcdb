import { Type, type Static } from '@sinclair/typebox';
import { EventId, Id, Timestamp } from './comment-events';
import { HeldReason, Moderation } from './tables';

/** `comments.enriched` (key = threadId): what enrich adds to each comment event. Internal. */
export const EnrichedAuthor = Type.Object(
  { id: Id, name: Type.String(), avatarUrl: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type EnrichedAuthor = Static<typeof EnrichedAuthor>;

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
export const EnrichedEvent = Type.Union([EnrichedCreated, EnrichedEdited, EnrichedDeleted, EnrichedVoted]);

export type EnrichedCreated = Static<typeof EnrichedCreated>;
export type EnrichedEdited = Static<typeof EnrichedEdited>;
export type EnrichedDeleted = Static<typeof EnrichedDeleted>;
export type EnrichedVoted = Static<typeof EnrichedVoted>;
export type EnrichedEvent = Static<typeof EnrichedEvent>;
