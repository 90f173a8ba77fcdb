import { Type, type Static } from '@sinclair/typebox';
import { EventId, Id, Timestamp } from './comment-events';

/** `users` compacted topic: key = user id; a null value deletes the profile. */
export const UserProfile = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    avatarUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
  },
  { additionalProperties: false, $id: 'https://threadcast.dev/schemas/users.v1.json' },
);
export type UserProfile = Static<typeof UserProfile>;

export const Moderation = Type.Union([Type.Literal('open'), Type.Literal('premoderated')]);
export type Moderation = Static<typeof Moderation>;

/** `threads` compacted topic: key = thread id. */
export const ThreadInfo = Type.Object(
  {
    id: Id,
    forumId: Id,
    title: Type.Optional(Type.String({ maxLength: 300 })),
    moderation: Moderation,
    closed: Type.Boolean(),
  },
  { additionalProperties: false, $id: 'https://threadcast.dev/schemas/threads.v1.json' },
);
export type ThreadInfo = Static<typeof ThreadInfo>;

/** Why a comment is held back from its thread for the forum's moderators. */
export const HeldReason = Type.Union([Type.Literal('premoderated'), Type.Literal('spam')]);
export type HeldReason = Static<typeof HeldReason>;

/** A comment's author as enrich shows it (the `users` profile, else what the event said). */
export const EnrichedAuthor = Type.Object(
  { id: Id, name: Type.String(), avatarUrl: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type EnrichedAuthor = Static<typeof EnrichedAuthor>;

/**
 * What an approval delivers to the thread, kept with a held comment until a moderator decides
 * (latest edit's html and mentions included). `created`: held since it was posted, so its thread
 * never saw it: the approval delivers it as the comment (its creation's event id, author, time).
 * `edited`: held by an edit of a comment the thread already has: the approval delivers the edit.
 */
export const PendingComment = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('created'),
      eventId: EventId,
      author: EnrichedAuthor,
      html: Type.String(),
      mentions: Type.Array(Id),
      parentId: Type.Optional(Id),
      parentAuthorId: Type.Optional(Id),
      createdAt: Timestamp,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('edited'), html: Type.String(), mentions: Type.Array(Id) },
    { additionalProperties: false },
  ),
]);
export type PendingComment = Static<typeof PendingComment>;

/** A moderator's decision on a held comment, and the event that made it (replays repeat it). */
export const Decision = Type.Object(
  {
    verdict: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
    eventId: EventId,
  },
  { additionalProperties: false },
);
export type Decision = Static<typeof Decision>;

/**
 * An entry of enrich's `comments` store (changelog `enrich.comments-changelog`): key = comment id. Who wrote the comment
 * (only they, or a moderator, may edit or delete it) and, when it is held, why: a held comment
 * stays held through its edits and deletes until a moderator approves it (`held` goes, `decided`
 * says approved) or rejects it (`held` stays: it never reaches the thread). While held, `pending`
 * keeps what an approval delivers; a rejection drops it, an approval keeps it so that a replayed
 * approval (a produce retry, a rewind) delivers the same comment again. Entries written before
 * `held` existed read as approved. `createdAt` (epoch ms: the creating event's `acceptedAt`) is
 * what the retention window (STATE_RETENTION_DAYS) is counted from; entries written before
 * retention have none and are kept.
 */
export const CommentIndexEntry = Type.Object(
  {
    commentId: Id,
    threadId: Id,
    authorId: Id,
    held: Type.Optional(HeldReason),
    pending: Type.Optional(PendingComment),
    decided: Type.Optional(Decision),
    createdAt: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type CommentIndexEntry = Static<typeof CommentIndexEntry>;
