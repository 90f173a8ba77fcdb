import type { Logger } from '@threadcast/runtime';
import type { Consumer, Kafka } from 'kafkajs';
import { retryWhileRetriable } from './backoff';
import { toInRecord, type InRecord } from './records';
import { untraced } from './record-tracing';
import { CONSUMER_RETRY } from './consumer-retry';

export interface TopicReader {
  /** True once every partition has been read up to where it stood when the reader started. */
  isCaughtUp(): boolean;
  /** Resolves when caught up. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads every partition of a topic in this process, without committing offsets: a pod-unique
 * consumer group that nothing else joins. Used for compacted tables (read from the beginning,
 * ready once caught up) and for broadcast streams (from the end).
 *
 * `onRecord` runs synchronously per record: table updates are cheap map writes. Resolves once the
 * reader has joined its group, so nothing produced after that is missed.
 */
export async function readTopic(opts: {
  kafka: Kafka;
  topic: string;
  groupId: string;
  fromBeginning: boolean;
  onRecord: (record: InRecord) => void;
  logger: Logger;
}): Promise<TopicReader> {
  const { kafka, topic, logger } = opts;
  const admin = kafka.admin();
  await admin.connect();
  // Where each partition ends now: reaching these offsets means the table is complete.
  const ends = new Map<number, bigint>();
  try {
    // Retried: a topic created a moment ago may not be served by its leaders yet.
    for (const p of await retryWhileRetriable(() => admin.fetchTopicOffsets(topic))) {
      const high = BigInt(p.high);
      const low = BigInt(p.low);
      if (opts.fromBeginning && high > low) ends.set(p.partition, high);
    }
  } finally {
    await admin.disconnect();
  }
  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((r) => (resolveCaughtUp = r));
  const check = () => {
    if (ends.size === 0) resolveCaughtUp();
  };
  check();

  const consumer: Consumer = kafka.consumer({
    retry: CONSUMER_RETRY,
    groupId: opts.groupId,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
    // An idle reader's fetch waits this long; shutdown waits for the fetch, so keep it short.
    maxWaitTimeInMs: 1000,
  });
  // Resolves on the first group join: only then does the reader receive records; a reader from
  // the end that reported ready earlier would silently miss what was produced meanwhile.
  const joined = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: opts.fromBeginning });
  // Untraced: reading a table or the deliveries stream is not part of any comment's trace.
  await untraced(() =>
    consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          try {
            opts.onRecord(toInRecord(batch.topic, batch.partition, m));
          } catch (e) {
            logger.warn(
              { err: e, topic, partition: batch.partition, offset: m.offset },
              'skipping unreadable record',
            );
          }
        }
        const end = ends.get(batch.partition);
        if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) {
          ends.delete(batch.partition);
          check();
        }
      },
    }),
  );
  await joined;
  return {
    isCaughtUp: () => ends.size === 0,
    caughtUp,
    stop: () => consumer.disconnect(),
  };
}
