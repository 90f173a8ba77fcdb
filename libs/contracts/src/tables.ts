import { Type, type Static } from '@sinclair/typebox';
import { Id } from './comment-events';

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

/**
 * `comments.index` compacted topic (enrich's changelog): key = comment id. Who wrote the comment
 * (only they, or a moderator, may edit or delete it) and, when it is held, why: a held comment
 * stays held through its edits and deletes. Entries written before `held` existed read as approved.
 */
export const CommentIndexEntry = Type.Object(
  { commentId: Id, threadId: Id, authorId: Id, held: Type.Optional(HeldReason) },
  { additionalProperties: false },
);
export type CommentIndexEntry = Static<typeof CommentIndexEntry>;

/** `comments.scores` compacted topic (route's changelog): key = comment id. */
export const CommentScoreState = Type.Object(
  {
    commentId: Id,
    threadId: Id,
    /** Each voter's latest vote: replaying a vote cannot count it twice. */
    votes: Type.Record(Type.String(), Type.Union([Type.Literal(1), Type.Literal(-1)])),
  },
  { additionalProperties: false },
);
export type CommentScoreState = Static<typeof CommentScoreState>;
