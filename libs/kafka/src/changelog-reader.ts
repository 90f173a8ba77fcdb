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
  catchUp(): Promise<void>;
  /** The first catch-up (the restore) has completed. */
  isRestored(): boolean;
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
  let restored = false;
  let running: Promise<void> | undefined;
  const catchUp = async () => {
    const bounds = await reader.bounds(0);
    const wanted = new Map<number, number>();
    bounds.forEach(({ low, high }, partition) => {
      const from = Math.max(positions.get(partition) ?? low, low);
      if (from < high) wanted.set(partition, high);
    });
    if (wanted.size > 0) {
      const done = new Promise<void>((resolve) => (reached = resolve));
      targets = wanted;
      for (const partition of wanted.keys()) {
        reader.readFrom(partition, Math.max(positions.get(partition) ?? 0, bounds[partition]!.low));
      }
      await done;
    }
    restored = true;
  };
  return {
    // One catch-up at a time; one asked for while another runs starts after it.
    catchUp: () => {
      const next = (running ?? Promise.resolve()).catch(() => undefined).then(catchUp);
      running = next;
      next.then(
        () => (running === next ? (running = undefined) : undefined),
        () => (running === next ? (running = undefined) : undefined),
      );
      return next;
    },
    isRestored: () => restored,
    close: () => reader.close(),
  };
}
