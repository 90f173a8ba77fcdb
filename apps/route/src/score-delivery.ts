import { threadChannel, type CommentScoreState } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import { deliveryRecord, type DeliveryMeta } from './delivery-record';
import { scoreOf } from './score-state';

/** What the coalescer remembers of a comment's latest vote until its window flushes. */
export interface PendingScore {
  /** Where the latest vote sits in comments.enriched. */
  partition: number;
  offset: string;
  acceptedAt: string;
  meta: DeliveryMeta;
}

/**
 * The event id names the input position of the latest vote counted, not the totals: totals
 * repeat (1 up 1 down, then 0/2, then 1/1 again) and a client deduping by id would drop the
 * third. A position is unique per state and the same when a redelivered vote re-emits it.
 */
export function scoreEventId(commentId: string, pending: PendingScore): string {
  return `score:${commentId}:${pending.partition}:${pending.offset}`;
}

/** The `comment.score` delivery of a comment's current state, on its thread channel. */
export function scoreRecord(state: CommentScoreState, pending: PendingScore): OutRecord {
  const { score, up, down } = scoreOf(state);
  return deliveryRecord(
    {
      channel: threadChannel(state.threadId),
      event: {
        type: 'comment.score',
        eventId: scoreEventId(state.commentId, pending),
        id: state.commentId,
        threadId: state.threadId,
        score,
        up,
        down,
        at: pending.acceptedAt,
      },
    },
    pending.meta,
  );
}
