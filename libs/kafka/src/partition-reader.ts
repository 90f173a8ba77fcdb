import type { Logger } from '@threadcast/runtime';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { retryWhileRetriable } from './backoff';
import { toInRecord, type InRecord } from './records';
import { untraced } from './record-tracing';
import { CONSUMER_RETRY } from './consumer-retry';

/** Where a partition's log starts and ends: offsets `low` to `high - 1` can be read. */
export interface PartitionBounds {
  low: number;
  high: number;
}

/**
 * Reads chosen partitions of one topic from chosen offsets, in this process only. kafkajs has no
 * `assign()`, so this is a consumer group that only this process joins (it is given every
 * partition), with every partition paused until asked for, `seek` to position one, and no
 * committed offsets: where to read comes from the caller every time, never from the group.
 */
export interface PartitionReader {
  readonly groupId: string;
  readonly partitionCount: number;
  /**
   * Reads `partition` from `offset` (the next offset to hand over). Starts a stopped partition;
   * on a running one, moves back (a seek) only when `offset` is before where the reader stands,
   * so callers can ask for replays without undoing each other.
   */
  readFrom(partition: number, offset: number): void;
  /** Stops fetching `partition`. */
  stop(partition: number): void;
  isReading(partition: number): boolean;
  /** The next offset the reader will hand over for a running partition; undefined when stopped. */
  position(partition: number): number | undefined;
  /** The partitions being read, ascending. */
  reading(): number[];
  /**
   * Every partition's bounds, at most `maxAgeMs` old (0: fresh). Callers while a request is in
   * flight share it, so a reconnect storm costs one ListOffsets at a time, not one per socket.
   */
  bounds(maxAgeMs?: number): Promise<PartitionBounds[]>;
  /** Leaves the group, then deletes it so the broker does not keep it until it expires. */
  close(): Promise<void>;
}

export interface PartitionReaderOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  logger: Logger;
  /** Synchronous, once per record, in offset order within a partition. */
  onRecord(record: InRecord): void;
  /** After each batch: where the reader stands and where the log ends, for lag metrics. */
  onProgress?(partition: number, next: number, high: number): void;
  /** How long an idle fetch waits: also the delay before a newly started partition is fetched. */
  maxWaitTimeInMs?: number;
  /** Default age limit of `bounds()`. */
  boundsMaxAgeMs?: number;
  /**
   * Bytes fetched per partition per request (default 1 MiB). A batch is handed over in one
   * synchronous run; a reader sharing its event loop with latency-sensitive work (the gateway's
   * replay reader) takes smaller ones, so that work gets the loop back between them.
   */
  maxBytesPerPartition?: number;
  /**
   * Bytes fetched per request over all partitions (default 10 MB, kafkajs'). Every record of a
   * fetch is decoded at once and lives until its batch is handed over: a reader restoring many
   * partitions takes less, so a fetch's records die young instead of growing the old heap.
   */
  maxBytes?: number;
}

export async function createPartitionReader(opts: PartitionReaderOptions): Promise<PartitionReader> {
  const { kafka, topic, groupId, logger } = opts;
  const boundsMaxAgeMs = opts.boundsMaxAgeMs ?? 1000;
  const admin: Admin = kafka.admin();
  await admin.connect();
  let partitionCount: number;
  try {
    const meta = await retryWhileRetriable(() => admin.fetchTopicMetadata({ topics: [topic] }));
    partitionCount = meta.topics[0]?.partitions.length ?? 0;
    if (partitionCount === 0) throw new Error(`topic ${topic} has no partitions`);
  } catch (e) {
    await admin.disconnect();
    throw e;
  }
  const all = Array.from({ length: partitionCount }, (_, p) => p);

  /** Running partitions and the next offset each hands over (a seek target until fetched). */
  const running = new Map<number, number>();
  let started = false;

  const consumer: Consumer = kafka.consumer({
    retry: CONSUMER_RETRY,
    groupId,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: opts.maxBytesPerPartition ?? 1024 * 1024,
    ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
    maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 250,
  });

  /**
   * Puts the consumer in the state `running` describes. Run at every group join: a rejoin (only
   * after a session timeout or a consumer restart, as nothing else joins) forgets positions and
   * would resume from the log end, skipping records.
   */
  const apply = () => {
    if (!started) return;
    const stopped = all.filter((p) => !running.has(p));
    if (stopped.length > 0) consumer.pause([{ topic, partitions: stopped }]);
    if (running.size > 0) consumer.resume([{ topic, partitions: [...running.keys()] }]);
    for (const [partition, offset] of running) consumer.seek({ topic, partition, offset: String(offset) });
  };
  /**
   * kafkajs refuses pause/resume/seek while its consumer restarts after a crash (e.g. "the
   * coordinator is loading" on a fresh broker). `running` keeps the wanted state; the next
   * group join applies it.
   */
  const tryApply = (what: string, work: () => void) => {
    try {
      work();
    } catch (e) {
      logger.warn(
        { err: e, groupId, what },
        'reader not running right now; will apply at the next group join',
      );
    }
  };
  let joins = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (++joins > 1) logger.warn({ groupId, joins }, 'reader rejoined its group; re-positioning partitions');
    tryApply('rejoin', apply);
  });

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  // Untraced: reading a table or the deliveries stream is not part of any comment's trace.
  await untraced(() =>
    consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, isStale }) => {
        const partition = batch.partition;
        for (const m of batch.messages) {
          // Stale: a readFrom moved this partition back; the replay comes with the next fetch.
          if (!running.has(partition) || isStale()) return;
          try {
            opts.onRecord(toInRecord(topic, partition, m));
          } catch (e) {
            logger.warn({ err: e, topic, partition, offset: m.offset }, 'skipping unreadable record');
          }
          running.set(partition, Number(m.offset) + 1);
        }
        const next = running.get(partition);
        if (next !== undefined) opts.onProgress?.(partition, next, Number(batch.highWatermark));
      },
    }),
  );
  started = true;
  // Nothing is read until asked for. Records fetched before this pause are dropped by eachBatch.
  tryApply('start', apply);

  let cached: { at: number; bounds: PartitionBounds[] } | undefined;
  let inFlight: Promise<PartitionBounds[]> | undefined;
  const fetchBounds = async (): Promise<PartitionBounds[]> => {
    const offsets = await retryWhileRetriable(() => admin.fetchTopicOffsets(topic), 5000);
    const bounds: PartitionBounds[] = all.map(() => ({ low: 0, high: 0 }));
    for (const o of offsets) bounds[o.partition] = { low: Number(o.low), high: Number(o.high) };
    cached = { at: Date.now(), bounds };
    return bounds;
  };

  let closing: Promise<void> | undefined;
  return {
    groupId,
    partitionCount,
    readFrom(partition, offset) {
      const at = running.get(partition);
      if (at !== undefined && offset >= at) return;
      running.set(partition, offset);
      tryApply('readFrom', () => {
        consumer.seek({ topic, partition, offset: String(offset) });
        if (at === undefined) consumer.resume([{ topic, partitions: [partition] }]);
      });
    },
    stop(partition) {
      if (!running.delete(partition)) return;
      tryApply('stop', () => consumer.pause([{ topic, partitions: [partition] }]));
    },
    isReading: (partition) => running.has(partition),
    position: (partition) => running.get(partition),
    reading: () => [...running.keys()].sort((a, b) => a - b),
    bounds(maxAgeMs = boundsMaxAgeMs) {
      if (cached && Date.now() - cached.at <= maxAgeMs) return Promise.resolve(cached.bounds);
      inFlight ??= fetchBounds().finally(() => (inFlight = undefined));
      return inFlight;
    },
    close() {
      closing ??= (async () => {
        await consumer.disconnect();
        try {
          await admin.deleteGroups([groupId]);
        } catch (e) {
          // The broker drops an empty group without offsets on its own later; not worth failing.
          logger.warn({ err: e, groupId }, 'could not delete the reader group');
        }
        await admin.disconnect();
      })();
      return closing;
    },
  };
}
