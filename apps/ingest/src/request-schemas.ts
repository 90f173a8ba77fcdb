import { Type, type Static } from '@sinclair/typebox';
import {
  CommentApproved,
  CommentCreated,
  CommentDeleted,
  CommentEdited,
  CommentRejected,
  CommentVoted,
  ThreadInfo,
  UserProfile,
} from '@threadcast/contracts';

// Request bodies are built from the contracts' own field schemas, so the API cannot accept what
// the topic's contract would refuse, and errors name the field as the client sent it.
const strict = { additionalProperties: false } as const;

export const CreateCommentRequest = Type.Object(
  {
    author: CommentCreated.properties.author,
    body: CommentCreated.properties.body,
    parentId: CommentCreated.properties.parentId,
  },
  strict,
);
export type CreateCommentRequest = Static<typeof CreateCommentRequest>;

/** `asModerator: true` only from an API key granted moderation (403 otherwise). */
export const EditCommentRequest = Type.Object(
  {
    body: CommentEdited.properties.body,
    editorId: CommentEdited.properties.editorId,
    asModerator: CommentEdited.properties.asModerator,
  },
  strict,
);
export type EditCommentRequest = Static<typeof EditCommentRequest>;

/** DELETE names who deletes: only the author may, or a moderator (docs/security.md). */
export const DeleteCommentRequest = Type.Object(
  { deletedBy: CommentDeleted.properties.deletedBy, asModerator: CommentDeleted.properties.asModerator },
  strict,
);
export type DeleteCommentRequest = Static<typeof DeleteCommentRequest>;

export const VoteRequest = Type.Object(
  { userId: CommentVoted.properties.userId, value: CommentVoted.properties.value },
  strict,
);
export type VoteRequest = Static<typeof VoteRequest>;

/** Approve or reject a held comment: only moderator callers (403 otherwise; docs/security.md). */
export const ApproveRequest = Type.Object({ moderatorId: CommentApproved.properties.moderatorId }, strict);
export type ApproveRequest = Static<typeof ApproveRequest>;

export const RejectRequest = Type.Object(
  { moderatorId: CommentRejected.properties.moderatorId, reason: CommentRejected.properties.reason },
  strict,
);
export type RejectRequest = Static<typeof RejectRequest>;

export const PutUserRequest = Type.Object(
  { name: UserProfile.properties.name, avatarUrl: UserProfile.properties.avatarUrl },
  strict,
);
export type PutUserRequest = Static<typeof PutUserRequest>;

export const PutThreadRequest = Type.Object(
  {
    forumId: ThreadInfo.properties.forumId,
    title: ThreadInfo.properties.title,
    moderation: Type.Optional(ThreadInfo.properties.moderation),
    closed: Type.Optional(ThreadInfo.properties.closed),
  },
  strict,
);
export type PutThreadRequest = Static<typeof PutThreadRequest>;
