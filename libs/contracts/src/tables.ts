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

/** `comments.index` compacted topic (enrich's changelog): key = comment id. */
export const CommentIndexEntry = Type.Object(
  { commentId: Id, threadId: Id, authorId: Id },
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
