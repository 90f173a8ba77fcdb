import type { Logger } from '@threadcast/runtime';
import type { Kafka } from 'kafkajs';
import { createPartitionReader } from './partition-reader';
import type { InRecord } from './records';

/**
 * A table's changelog, read on demand: `catchUp()` reads every partition from where the reader
 * stopped last up to where the log ends now, then pauses again. A stage restores its table with
 * the first call, and after every rebalance catches up with what other pods wrote meanwhile.
 * Between calls it fetches nothing, so a stage never reads back what it just wrote itself.
 */
export interface ChangelogReader {
  /** One at a time: a call made while another runs starts after it. */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

export async function openChangelogReader(opts: {
  kafka: Kafka;
  topic: string;
  /** Unique to the process: the reader's own group, deleted on close. */
  groupId: string;
  logger: Logger;
  /** Synchronous, in offset order per partition; a throw skips the record with a warning. */
  onRecord(record: InRecord): void;
}): Promise<ChangelogReader> {
  /** The next offset to read, per partition. */
  const positions = new Map<number, number>();
  let targets = new Map<number, number>();
  let reached: () => void = () => undefined;
  const reader = await createPartitionReader({
    kafka: opts.kafka,
    topic: opts.topic,
    groupId: opts.groupId,
    logger: opts.logger,
    maxWaitTimeInMs: 250,
    onRecord: opts.onRecord,
    onProgress(partition, next) {
      positions.set(partition, next);
      const target = targets.get(partition);
      if (target === undefined || next < target) return;
      reader.stop(partition);
      targets.delete(partition);
      if (targets.size === 0) reached();
    },
  });
  const catchUp = async () => {
    const bounds = await reader.bounds(0);
    // Set before any partition starts, so onProgress always sees this catch-up's targets.
    targets = new Map();
    const done = new Promise<void>((resolve) => (reached = resolve));
    bounds.forEach(({ low, high }, partition) => {
      const from = Math.max(positions.get(partition) ?? low, low);
      if (from >= high) return;
      targets.set(partition, high);
      reader.readFrom(partition, from);
    });
    if (targets.size > 0) await done;
  };
  let chain: Promise<void> = Promise.resolve();
  return {
    catchUp: () => (chain = chain.catch(() => undefined).then(catchUp)),
    close: () => reader.close(),
  };
}
