import type {
  CommentApproved,
  CommentIndexEntry,
  CommentRejected,
  Decision,
  EnrichedApproved,
  EnrichedEvent,
  EnrichedRejected,
} from '@threadcast/contracts';
import { PoisonRecordError } from '@threadcast/runtime';
import { liveEntry, type EnrichTables } from './tables';

type Base = Pick<EnrichedEvent, 'eventId' | 'threadId' | 'forumId' | 'commentId' | 'acceptedAt'>;

export interface Decided {
  event: EnrichedApproved | EnrichedRejected;
  /** The comment's new index entry; absent when a replay of the same decision changes nothing. */
  index?: CommentIndexEntry;
}

/**
 * A moderator's approval or rejection of a held comment. Approved: `held` goes (its edits and
 * deletes reach the thread from now on) and the event carries what the thread gets, from the
 * entry's `pending`. Rejected: `held` stays (the comment never reaches the thread) and `pending`
 * is dropped. The same decision event again (at least once: a produce retry, a rewind) repeats
 * its outputs unchanged; any other decision on a comment that is not held, or already decided, is
 * refused as `not_held`, and one on a comment this thread never had (or created more than
 * `windowMs` before the decision) as `unknown_comment`.
 */
export function enrichDecision(
  event: CommentApproved | CommentRejected,
  base: Base,
  tables: EnrichTables,
  windowMs = 0,
): Decided {
  const entry = liveEntry(tables.comments, event.commentId, Date.parse(event.acceptedAt), windowMs);
  if (entry === undefined || entry.threadId !== event.threadId) {
    throw new PoisonRecordError(
      'unknown_comment',
      `comment ${event.commentId} is not known in thread ${event.threadId}`,
      { field: 'commentId' },
    );
  }
  const verdict = event.type === 'comment.approved' ? 'approved' : 'rejected';
  const replay = entry.decided?.eventId === event.eventId && entry.decided.verdict === verdict;
  if (!replay && (entry.held === undefined || entry.decided !== undefined)) {
    const state = entry.decided?.verdict ?? 'not held';
    throw new PoisonRecordError(
      'not_held',
      `comment ${event.commentId} is ${state}: only a held comment can be ${verdict}`,
      { field: 'commentId' },
    );
  }
  const { commentId, threadId, authorId, held, pending, createdAt } = entry;
  const created = createdAt !== undefined ? { createdAt } : {};
  const decided: Decision = { verdict, eventId: event.eventId };
  if (event.type === 'comment.approved') {
    const approved: EnrichedApproved = {
      type: event.type,
      ...base,
      moderatorId: event.moderatorId,
      ...(pending !== undefined && { comment: pending }),
    };
    if (replay) return { event: approved };
    // Kept after the approval: a replay of it delivers the same comment again.
    const index = {
      commentId,
      threadId,
      authorId,
      ...(pending !== undefined && { pending }),
      decided,
      ...created,
    };
    return { event: approved, index };
  }
  const rejected: EnrichedRejected = {
    type: event.type,
    ...base,
    moderatorId: event.moderatorId,
    ...(event.reason !== undefined && { reason: event.reason }),
  };
  if (replay) return { event: rejected };
  return {
    event: rejected,
    index: { commentId, threadId, authorId, ...(held !== undefined && { held }), decided, ...created },
  };
}
