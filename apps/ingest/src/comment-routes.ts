import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Write } from './accept-write';
import { checkBody, checkIdempotencyKey, checkPathId } from './check-request';
import { ANONYMOUS } from './api-keys';
import {
  approvedEvent,
  commentWrite,
  createdEvent,
  deletedEvent,
  editedEvent,
  rejectedEvent,
  votedEvent,
  type CommentAnswer,
} from './comment-writes';
import {
  ApproveRequest,
  CreateCommentRequest,
  DeleteCommentRequest,
  EditCommentRequest,
  RejectRequest,
  VoteRequest,
} from './request-schemas';
import { HttpError } from './http-error';
import { callerOf } from './request-caller';
import { annotateRequestSpan } from './request-span';
import { traceHeaders } from './trace-headers';
import { writeScope } from './write-ids';

type Accept = (write: Write<CommentAnswer>) => Promise<CommentAnswer>;
type ThreadParams = { Params: { threadId: string } };
type CommentParams = { Params: { threadId: string; id: string } };

const CREATE = 'POST /v1/threads/:threadId/comments';
const EDIT = 'PATCH /v1/threads/:threadId/comments/:id';
const DELETE = 'DELETE /v1/threads/:threadId/comments/:id';
const VOTE = 'POST /v1/threads/:threadId/comments/:id/votes';
const APPROVE = 'POST /v1/threads/:threadId/comments/:id/approve';
const REJECT = 'POST /v1/threads/:threadId/comments/:id/reject';

/**
 * The caller's name, after checking that it may act as a moderator when the body says it does
 * (`asModerator: true`): only API keys granted moderation may; anonymous callers never.
 */
function actingCaller(request: FastifyRequest, body: { asModerator?: true }): string {
  const caller = callerOf(request);
  if (body.asModerator && !caller.moderator) {
    throw new HttpError(
      403,
      'forbidden',
      'asModerator needs an API key granted moderation (name:secret:moderator in INGEST_API_KEYS)',
      { field: 'asModerator' },
    );
  }
  return caller.name;
}

/**
 * The caller's name, after checking that it may approve or reject held comments: an API key
 * granted moderation, or, with no keys at all (INGEST_ALLOW_ANONYMOUS: local development, where
 * anyone may write as anyone anyway), the anonymous caller, so the demo's moderator view works.
 */
function decidingCaller(request: FastifyRequest): string {
  const caller = callerOf(request);
  if (!caller.moderator && caller !== ANONYMOUS) {
    throw new HttpError(
      403,
      'forbidden',
      'approving or rejecting a comment needs an API key granted moderation (name:secret:moderator in INGEST_API_KEYS)',
    );
  }
  return caller.name;
}

/**
 * The comment writes. Each is rate-limited by the acting user; edits and deletes that name no
 * user draw on the comment's own bucket, so one server-side caller is not throttled as one author.
 */
export function registerCommentRoutes(app: FastifyInstance, accept: Accept): void {
  app.post<ThreadParams>('/v1/threads/:threadId/comments', async (request, reply) => {
    const threadId = checkPathId('threadId', request.params.threadId);
    const body = checkBody(CreateCommentRequest, request.body);
    const trace = traceHeaders(request.headers);
    const answer = await accept({
      scope: writeScope(CREATE, [threadId]),
      caller: callerOf(request).name,
      idempotencyKey: checkIdempotencyKey(request.headers['idempotency-key']),
      body,
      rateKey: `u:${body.author.id}`,
      build: (ids, at) => commentWrite(createdEvent(threadId, body, ids), at, trace),
    });
    annotateRequestSpan({ 'comment.id': answer.id, 'thread.id': threadId, 'author.id': body.author.id });
    return reply.code(202).send(answer);
  });

  app.patch<CommentParams>('/v1/threads/:threadId/comments/:id', async (request, reply) => {
    const threadId = checkPathId('threadId', request.params.threadId);
    const id = checkPathId('id', request.params.id);
    const body = checkBody(EditCommentRequest, request.body);
    const caller = actingCaller(request, body);
    const trace = traceHeaders(request.headers);
    const answer = await accept({
      scope: writeScope(EDIT, [threadId, id]),
      caller,
      idempotencyKey: checkIdempotencyKey(request.headers['idempotency-key']),
      body,
      rateKey: `u:${body.editorId}`,
      build: (ids, at) => commentWrite(editedEvent(threadId, id, body, ids), at, trace),
    });
    annotateRequestSpan({ 'comment.id': answer.id, 'thread.id': threadId });
    return reply.code(202).send(answer);
  });

  app.delete<CommentParams>('/v1/threads/:threadId/comments/:id', async (request, reply) => {
    const threadId = checkPathId('threadId', request.params.threadId);
    const id = checkPathId('id', request.params.id);
    const body = checkBody(DeleteCommentRequest, request.body ?? {});
    const caller = actingCaller(request, body);
    const trace = traceHeaders(request.headers);
    const answer = await accept({
      scope: writeScope(DELETE, [threadId, id]),
      caller,
      idempotencyKey: checkIdempotencyKey(request.headers['idempotency-key']),
      body,
      rateKey: `u:${body.deletedBy}`,
      build: (ids, at) => commentWrite(deletedEvent(threadId, id, body, ids), at, trace),
    });
    annotateRequestSpan({ 'comment.id': answer.id, 'thread.id': threadId });
    return reply.code(202).send(answer);
  });

  app.post<CommentParams>('/v1/threads/:threadId/comments/:id/votes', async (request, reply) => {
    const threadId = checkPathId('threadId', request.params.threadId);
    const id = checkPathId('id', request.params.id);
    const body = checkBody(VoteRequest, request.body);
    const trace = traceHeaders(request.headers);
    const answer = await accept({
      scope: writeScope(VOTE, [threadId, id]),
      caller: callerOf(request).name,
      idempotencyKey: checkIdempotencyKey(request.headers['idempotency-key']),
      body,
      rateKey: `u:${body.userId}`,
      build: (ids, at) => commentWrite(votedEvent(threadId, id, body, ids), at, trace),
    });
    annotateRequestSpan({ 'comment.id': answer.id, 'thread.id': threadId });
    return reply.code(202).send(answer);
  });

  // A moderator's decision on a held comment; rate-limited by the moderator.
  app.post<CommentParams>('/v1/threads/:threadId/comments/:id/approve', async (request, reply) => {
    const threadId = checkPathId('threadId', request.params.threadId);
    const id = checkPathId('id', request.params.id);
    const caller = decidingCaller(request);
    const body = checkBody(ApproveRequest, request.body);
    const trace = traceHeaders(request.headers);
    const answer = await accept({
      scope: writeScope(APPROVE, [threadId, id]),
      caller,
      idempotencyKey: checkIdempotencyKey(request.headers['idempotency-key']),
      body,
      rateKey: `u:${body.moderatorId}`,
      build: (ids, at) => commentWrite(approvedEvent(threadId, id, body, ids), at, trace),
    });
    annotateRequestSpan({ 'comment.id': answer.id, 'thread.id': threadId });
    return reply.code(202).send(answer);
  });

  app.post<CommentParams>('/v1/threads/:threadId/comments/:id/reject', async (request, reply) => {
    const threadId = checkPathId('threadId', request.params.threadId);
    const id = checkPathId('id', request.params.id);
    const caller = decidingCaller(request);
    const body = checkBody(RejectRequest, request.body);
    const trace = traceHeaders(request.headers);
    const answer = await accept({
      scope: writeScope(REJECT, [threadId, id]),
      caller,
      idempotencyKey: checkIdempotencyKey(request.headers['idempotency-key']),
      body,
      rateKey: `u:${body.moderatorId}`,
      build: (ids, at) => commentWrite(rejectedEvent(threadId, id, body, ids), at, trace),
    });
    annotateRequestSpan({ 'comment.id': answer.id, 'thread.id': threadId });
    return reply.code(202).send(answer);
  });
}
