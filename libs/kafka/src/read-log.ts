import type { Logger } from '@threadcast/runtime';
import type { Kafka } from 'kafkajs';
import { retryWhileRetriable } from './backoff';
import { createPartitionReader } from './partition-reader';
import type { InRecord } from './records';

/**
 * Reads every partition of `topic` from its start (or from the first record at or after `since`,
 * epoch ms) up to where it ends when the call begins, then stops: a snapshot of a log, for
 * one-shot tools such as the DLQ CLI. Records come back in partition, then offset order. The
 * reader's group is unique to the call and deleted afterwards; nothing is committed.
 */
export async function readLog(opts: {
  kafka: Kafka;
  topic: string;
  groupId: string;
  logger: Logger;
  since?: number;
  timeoutMs?: number;
}): Promise<InRecord[]> {
  const { kafka, topic } = opts;
  const starts = new Map<number, number>();
  if (opts.since !== undefined) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const at = await retryWhileRetriable(() => admin.fetchTopicOffsetsByTimestamp(topic, opts.since));
      for (const o of at) starts.set(o.partition, Number(o.offset));
    } finally {
      await admin.disconnect();
    }
  }
  const records: InRecord[] = [];
  const reader = await createPartitionReader({
    kafka,
    topic,
    groupId: opts.groupId,
    logger: opts.logger,
    onRecord: (r) => records.push(r),
    maxWaitTimeInMs: 100,
  });
  // Partition -> offset where the snapshot ends; later records are left out.
  const ends = new Map<number, number>();
  try {
    const bounds = await reader.bounds(0);
    bounds.forEach(({ low, high }, partition) => {
      // A time past the last record gives -1 (or the end): nothing to read there.
      const wanted = starts.get(partition);
      const from = wanted === undefined || wanted < 0 ? (opts.since === undefined ? low : high) : wanted;
      const start = Math.max(low, from);
      if (start < high) {
        ends.set(partition, high);
        reader.readFrom(partition, start);
      }
    });
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    while ([...ends].some(([p, high]) => (reader.position(p) ?? high) < high)) {
      if (Date.now() > deadline) throw new Error(`timed out reading ${topic}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await reader.close();
  }
  return records
    .filter((r) => Number(r.offset) < (ends.get(r.partition) ?? 0))
    .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}
