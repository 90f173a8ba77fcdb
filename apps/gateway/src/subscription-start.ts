import type { PartitionBounds } from '@threadcast/kafka';
import type { Cursor } from './cursor';

/** Where a new subscription starts in its channel's partition, and whether its cursor was dropped. */
export interface SubscriptionStart {
  /** The first offset the subscription is given. */
  start: number;
  /** True when a cursor was given but cannot be resumed from: the client must refetch history. */
  reset: boolean;
}

/**
 * Decides where a subscription starts. Without a cursor: from now, i.e. after the newest record
 * this pod has read in the partition, or at the log end when the pod does not read it yet. With
 * a cursor: from the cursor, unless the log no longer holds it (older than retention), it is
 * beyond the log end (the topic was recreated), it names another partition (the partition count
 * changed), or resuming would replay more than `maxReplay` records of the partition; then from
 * now, with `reset`.
 */
export function subscriptionStart(opts: {
  partition: number;
  cursor: Cursor | undefined;
  /** The pod's read mark for the partition when it reads it, else undefined. */
  live: number | undefined;
  /** Needed unless the partition is read and no cursor is given. */
  bounds: PartitionBounds | undefined;
  maxReplay: number;
}): SubscriptionStart {
  const { partition, cursor, live, bounds, maxReplay } = opts;
  const now = live ?? bounds?.high;
  if (now === undefined) throw new Error('subscriptionStart needs the bounds of a partition not read yet');
  if (cursor === undefined) return { start: now, reset: false };
  const resumable =
    cursor.partition === partition &&
    bounds !== undefined &&
    cursor.offset >= bounds.low &&
    cursor.offset <= Math.max(bounds.high, now) &&
    now - cursor.offset <= maxReplay;
  return resumable ? { start: cursor.offset, reset: false } : { start: now, reset: true };
}
