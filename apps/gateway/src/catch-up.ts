/**
 * Replays for resumed subscriptions, on a reading path of their own. The live reader of a
 * partition never moves back: a subscription whose cursor is behind it is marked "not live yet"
 * (fan-out skips it) and handed here, where a second reader (one per pod, shared by every replay)
 * reads the partition from the oldest cursor. Each replaying subscription takes the records of
 * its channel until it reaches the live reader's mark; then it turns live, with `after` at the
 * last offset it was given, so nothing is lost or sent twice at the handover. A replay storm so
 * costs replayers time, never live readers, and each socket pays for its replays from a budget.
 */
import { HEADERS } from '@threadcast/contracts';
import { cursorOf } from './cursor';
import type { DeliveryRecord } from './fan-out';
import { eventFrame } from './frame-delivery';
import type { GatewayMetrics } from './gateway-metrics';
import type { PartitionPositions } from './partition-positions';
import type { Subscription } from './subscriptions';

/** Moves a subscription's start past anything live delivery could give it. */
export const NOT_LIVE_YET = Number.MAX_SAFE_INTEGER;

/** The second reader: the same contract as the live one (delivery-feed.ts), another group. */
export interface ReplayReader {
  readFrom(partition: number, offset: number): void;
  stop(partition: number): void;
}

export interface CatchUp<C> {
  /**
   * Replays `sub` from `from` up to the live mark, then hands it to live delivery. The caller
   * has put the subscription with `after = NOT_LIVE_YET`.
   */
  start(sub: Subscription<C>, from: number): void;
  /** The subscription went away (unsubscribe or close) before its replay ended. */
  cancel(sub: Subscription<C>): void;
  /** A record of the replay reader. */
  onRecord(record: DeliveryRecord): void;
  /** Replays in progress on this pod. */
  readonly active: number;
}

export function createCatchUp<C>(deps: {
  reader: ReplayReader;
  positions: PartitionPositions;
  metrics: GatewayMetrics;
  /** Writes a frame to the subscription's socket; false when the socket is (now) too slow. */
  write(client: C, frame: Buffer): boolean;
}): CatchUp<C> {
  const { reader, positions, metrics } = deps;
  /** Per partition: each replaying subscription and the next offset it needs. */
  const byPartition = new Map<number, Map<Subscription<C>, number>>();
  let active = 0;

  const finish = (sub: Subscription<C>, partition: number, replaying: Map<Subscription<C>, number>) => {
    replaying.delete(sub);
    active--;
    metrics.replaysActive.set(active);
    if (replaying.size === 0) {
      byPartition.delete(partition);
      // Not from inside the reader's batch: kafkajs ignores a later seek of a partition paused
      // there (the next replay of it would get nothing). Unless a replay of it began meanwhile.
      setImmediate(() => {
        if (!byPartition.has(partition)) reader.stop(partition);
      });
    }
  };

  /** Live from here when the replay has reached the live mark; true when it has. */
  const goLiveIfCaughtUp = (sub: Subscription<C>, next: number): boolean => {
    const live = positions.live(sub.partition);
    if (live === undefined || next < live) return false;
    sub.after = next - 1;
    return true;
  };

  return {
    start(sub, from) {
      if (goLiveIfCaughtUp(sub, from)) return;
      let replaying = byPartition.get(sub.partition);
      if (!replaying) byPartition.set(sub.partition, (replaying = new Map()));
      replaying.set(sub, from);
      active++;
      metrics.replaysActive.set(active);
      metrics.replays.inc();
      // Moves back only when `from` is before where the replay reader stands; the others skip
      // what they already had.
      reader.readFrom(sub.partition, from);
    },
    cancel(sub) {
      const replaying = byPartition.get(sub.partition);
      if (replaying?.has(sub)) finish(sub, sub.partition, replaying);
    },
    onRecord(record) {
      const replaying = byPartition.get(record.partition);
      if (!replaying) return;
      const offset = Number(record.offset);
      const channel = record.headers[HEADERS.channel];
      let frame: Buffer | undefined;
      for (const [sub, next] of replaying) {
        if (offset < next) continue;
        if (channel === sub.channel) {
          frame ??= eventFrame(record.value, cursorOf(record.partition, offset + 1));
          if (frame === undefined) {
            metrics.recordsUnusable.inc({ reason: 'not_a_frame' });
          } else if (!deps.write(sub.client, frame)) {
            // Too slow to take its replay: the socket is being cut; its close cancels the rest.
            finish(sub, record.partition, replaying);
            continue;
          }
        }
        if (goLiveIfCaughtUp(sub, offset + 1)) finish(sub, record.partition, replaying);
        else replaying.set(sub, offset + 1);
      }
    },
    get active() {
      return active;
    },
  };
}
