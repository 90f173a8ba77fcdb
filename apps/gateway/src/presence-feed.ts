/**
 * Presence over Kafka: this pod's counts go to the `presence` topic (keyed like `deliveries`, so a
 * channel's reports land in the partition number its events use), and a second, pod-unique
 * partition reader follows the `presence` partitions this pod reads in `deliveries`, from their
 * log end: every live pod republishes every count each refresh, so history is not needed.
 */
import { TOPICS, channelKey } from '@threadcast/contracts';
import {
  createKeyedProducer,
  createPartitionReader,
  uniqueGroupId,
  untraced,
  type Kafka,
} from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';
import {
  createPresenceTracker,
  parsePresenceRecord,
  presenceRecordValue,
  type PresenceTracker,
} from './presence-tracker';

export interface PresenceFeed {
  readonly tracker: PresenceTracker;
  readonly pod: string;
  /** Follows the partition's reports (called when the pod starts reading it in `deliveries`). */
  follow(partition: number): void;
  unfollow(partition: number): void;
  close(): Promise<void>;
}

export async function openPresenceFeed(opts: {
  kafka: Kafka;
  instanceId: string;
  logger: Logger;
  intervalMs: number;
  /** Every count is published again this often; between, only changed ones (see the tracker). */
  refreshMs: number;
  /** Reports older than this no longer count (a dead pod). */
  expiryMs: number;
  /** Least time between two frames of one channel (see the tracker). */
  minGapMs: number;
  /** Channels whose counts this pod publishes, at most (see the tracker). */
  maxChannels: number;
  onUnpublished(channels: number): void;
  localCount(channel: string): number;
  broadcast(channel: string, frame: string): void;
}): Promise<PresenceFeed> {
  const { logger } = opts;
  const producer = createKeyedProducer(opts.kafka);
  await producer.connect();
  const groupId = uniqueGroupId('threadcast-gateway-presence', opts.instanceId);
  // The group id is unique to this process: it names this pod in its reports.
  const pod = groupId;
  let publishing: Promise<void> | undefined;
  const tracker = createPresenceTracker({
    pod,
    expiryMs: opts.expiryMs,
    minGapMs: opts.minGapMs,
    refreshMs: opts.refreshMs,
    maxChannels: opts.maxChannels,
    onUnpublished: opts.onUnpublished,
    localCount: opts.localCount,
    broadcast: opts.broadcast,
    publish(reports) {
      // A slow broker must not pile up publishes: skip a tick rather than queue it.
      if (publishing) return;
      const records = reports.map((r) => ({
        topic: TOPICS.presence,
        key: channelKey(r.channel),
        value: presenceRecordValue(r.channel, { pod, count: r.count }),
      }));
      // Untraced: a trace per channel per pod every interval would bury the comments' traces.
      publishing = untraced(() => producer.send(records))
        .catch((e: unknown) => logger.warn({ err: e }, 'could not publish presence'))
        .finally(() => (publishing = undefined));
    },
  });
  let flushScheduled = false;
  const reader = await createPartitionReader({
    kafka: opts.kafka,
    topic: TOPICS.presence,
    groupId,
    logger,
    onRecord(record) {
      const report = parsePresenceRecord(record.value);
      if (!report) return;
      tracker.received(report.channel, report);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          tracker.flush();
        });
      }
    },
  });
  const wanted = new Set<number>();
  const follow = async (partition: number) => {
    try {
      const high = (await reader.bounds())[partition]?.high ?? 0;
      if (wanted.has(partition) && !reader.isReading(partition)) reader.readFrom(partition, high);
    } catch (e) {
      logger.warn({ err: e, partition }, 'could not start reading presence');
    }
  };
  const timer = setInterval(() => tracker.tick(), opts.intervalMs);
  timer.unref();
  return {
    tracker,
    pod,
    follow(partition) {
      if (wanted.has(partition)) return;
      wanted.add(partition);
      void follow(partition);
    },
    unfollow(partition) {
      if (!wanted.delete(partition)) return;
      if (reader.isReading(partition)) reader.stop(partition);
    },
    async close() {
      clearInterval(timer);
      // After the drain this pod has no subscribers left: one last tick publishes a zero for
      // every channel it counted, so the other pods drop it now instead of after the expiry.
      await publishing;
      tracker.tick();
      await withTimeout(publishing, opts.intervalMs);
      await Promise.allSettled([reader.close(), producer.disconnect()]);
    },
  };
}

/** Waits for `p`, at most `ms`: a broker that is gone must not hold up the shutdown. */
async function withTimeout(p: Promise<void> | undefined, ms: number): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
