import { Type, type Static } from '@sinclair/typebox';
import { ID_PATTERN } from './channels';

/**
 * Comment events v1: the public contract of the `comments` topic (key = threadId).
 * Product teams may produce these directly; ingest produces the same. JSON Schema is generated
 * from these definitions into libs/contracts/schemas/ (see docs/producing.md).
 */
export const Id = Type.String({ pattern: ID_PATTERN, description: 'Letters, digits, _ . - ; 1 to 128.' });
export const EventId = Type.String({ minLength: 1, maxLength: 64, description: 'Unique per event; stable.' });
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 time.' });
export const MAX_BODY_CHARS = 10_000;
export const Body = Type.String({ minLength: 1, maxLength: MAX_BODY_CHARS, description: 'Markdown.' });

const base = {
  eventId: EventId,
  threadId: Id,
  commentId: Id,
  acceptedAt: Timestamp,
};

export const CommentCreated = Type.Object(
  {
    type: Type.Literal('comment.created'),
    ...base,
    author: Type.Object(
      { id: Id, name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
      { additionalProperties: false },
    ),
    body: Body,
    parentId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

/**
 * Set by a producer acting for a moderator of the thread's forum: the edit or delete may then be
 * of someone else's comment. Ingest sets it only for API keys granted moderation; a producer
 * writing to the topic directly is trusted by the topic's ACL (docs/security.md).
 */
export const AsModerator = Type.Literal(true, {
  description: 'The editor acts as a moderator; without it only the author may edit or delete.',
});

export const CommentEdited = Type.Object(
  {
    type: Type.Literal('comment.edited'),
    ...base,
    body: Body,
    editorId: Id,
    asModerator: Type.Optional(AsModerator),
  },
  { additionalProperties: false },
);

export const CommentDeleted = Type.Object(
  { type: Type.Literal('comment.deleted'), ...base, deletedBy: Id, asModerator: Type.Optional(AsModerator) },
  { additionalProperties: false },
);

export const CommentVoted = Type.Object(
  {
    type: Type.Literal('comment.voted'),
    ...base,
    userId: Id,
    value: Type.Union([Type.Literal(1), Type.Literal(-1)]),
  },
  { additionalProperties: false },
);

export const MAX_REJECT_REASON_CHARS = 500;

/**
 * A moderator's decision on a held comment (premoderated thread, or spam): approved, it is
 * delivered to the thread as a new comment; rejected, it never is. Ingest produces these only for
 * moderator callers (docs/security.md); a producer writing to the topic directly is trusted by
 * the topic's ACL. A decision on a comment that is not held is dead-lettered (`not_held`).
 */
export const CommentApproved = Type.Object(
  { type: Type.Literal('comment.approved'), ...base, moderatorId: Id },
  { additionalProperties: false },
);

export const CommentRejected = Type.Object(
  {
    type: Type.Literal('comment.rejected'),
    ...base,
    moderatorId: Id,
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_REJECT_REASON_CHARS,
        description: "Why, for the forum's moderators.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const CommentEvent = Type.Union(
  [CommentCreated, CommentEdited, CommentDeleted, CommentVoted, CommentApproved, CommentRejected],
  {
    $id: 'https://threadcast.dev/schemas/comments.v1.json',
    title: 'threadcast comment event v1',
    description: 'A record of the comments topic. Key: threadId (UTF-8). Value: this JSON.',
  },
);

export type CommentCreated = Static<typeof CommentCreated>;
export type CommentEdited = Static<typeof CommentEdited>;
export type CommentDeleted = Static<typeof CommentDeleted>;
export type CommentVoted = Static<typeof CommentVoted>;
export type CommentApproved = Static<typeof CommentApproved>;
export type CommentRejected = Static<typeof CommentRejected>;
export type CommentEvent = Static<typeof CommentEvent>;
export type CommentEventType = CommentEvent['type'];
export const COMMENT_EVENT_TYPES: readonly CommentEventType[] = [
  'comment.created',
  'comment.edited',
  'comment.deleted',
  'comment.voted',
  'comment.approved',
  'comment.rejected',
];
