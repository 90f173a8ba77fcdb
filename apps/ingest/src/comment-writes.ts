import { HEADERS, commentRecord, type CommentEventInput } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import type { WriteIds } from './write-ids';
import type {
  ApproveRequest,
  CreateCommentRequest,
  DeleteCommentRequest,
  EditCommentRequest,
  RejectRequest,
  VoteRequest,
} from './request-schemas';

/** What every comment write answers with 202. */
export interface CommentAnswer {
  id: string;
  threadId: string;
  eventId: string;
}

/** A comment event as the `comments` record (key threadId, contract headers, trace context). */
export function commentWrite(
  input: CommentEventInput,
  acceptedAt: Date,
  trace: Record<string, string>,
): { records: OutRecord[]; answer: CommentAnswer } {
  // commentRecord validates the whole event against the contract; the request was checked
  // already, so a failure here is a bug and surfaces as a 500.
  const record = commentRecord(input, acceptedAt);
  record.headers = { ...record.headers, ...trace };
  return {
    records: [record],
    answer: { id: input.commentId, threadId: input.threadId, eventId: record.headers[HEADERS.eventId]! },
  };
}

export function createdEvent(threadId: string, req: CreateCommentRequest, ids: WriteIds): CommentEventInput {
  const author =
    req.author.name === undefined ? { id: req.author.id } : { id: req.author.id, name: req.author.name };
  return {
    type: 'comment.created',
    eventId: ids.eventId,
    threadId,
    commentId: ids.commentId,
    author,
    body: req.body,
    ...(req.parentId === undefined ? {} : { parentId: req.parentId }),
  };
}

export function editedEvent(
  threadId: string,
  commentId: string,
  req: EditCommentRequest,
  ids: WriteIds,
): CommentEventInput {
  return {
    type: 'comment.edited',
    eventId: ids.eventId,
    threadId,
    commentId,
    body: req.body,
    editorId: req.editorId,
    ...(req.asModerator ? { asModerator: true } : {}),
  };
}

export function deletedEvent(
  threadId: string,
  commentId: string,
  req: DeleteCommentRequest,
  ids: WriteIds,
): CommentEventInput {
  return {
    type: 'comment.deleted',
    eventId: ids.eventId,
    threadId,
    commentId,
    deletedBy: req.deletedBy,
    ...(req.asModerator ? { asModerator: true } : {}),
  };
}

export function votedEvent(
  threadId: string,
  commentId: string,
  req: VoteRequest,
  ids: WriteIds,
): CommentEventInput {
  return {
    type: 'comment.voted',
    eventId: ids.eventId,
    threadId,
    commentId,
    userId: req.userId,
    value: req.value,
  };
}

export function approvedEvent(
  threadId: string,
  commentId: string,
  req: ApproveRequest,
  ids: WriteIds,
): CommentEventInput {
  return {
    type: 'comment.approved',
    eventId: ids.eventId,
    threadId,
    commentId,
    moderatorId: req.moderatorId,
  };
}

export function rejectedEvent(
  threadId: string,
  commentId: string,
  req: RejectRequest,
  ids: WriteIds,
): CommentEventInput {
  return {
    type: 'comment.rejected',
    eventId: ids.eventId,
    threadId,
    commentId,
    moderatorId: req.moderatorId,
    ...(req.reason === undefined ? {} : { reason: req.reason }),
  };
}
