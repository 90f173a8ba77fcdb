import { threadChannel } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import { deliveryRecord, type DeliveryMeta } from './delivery-record';
import type { Tally } from './vote-store';

/** What the coalescer remembers of a comment's latest vote until its window flushes. */
export interface PendingScore {
  /** Where the latest vote sits in comments.enriched (its partition is the store partition). */
  partition: number;
  threadId: string;
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

/** The `comment.score` delivery of a comment's current tally, on its thread channel. */
export function scoreRecord(commentId: string, tally: Tally, pending: PendingScore): OutRecord {
  const { up, down } = tally;
  return deliveryRecord(
    {
      channel: threadChannel(pending.threadId),
      event: {
        type: 'comment.score',
        eventId: scoreEventId(commentId, pending),
        id: commentId,
        threadId: pending.threadId,
        score: up - down,
        up,
        down,
        at: pending.acceptedAt,
      },
    },
    pending.meta,
  );
}
