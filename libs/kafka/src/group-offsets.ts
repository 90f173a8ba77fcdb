import type { Admin, Kafka } from 'kafkajs';
import { retryWhileRetriable, sleep } from './backoff';

/** A position in one partition: the next offset to read. */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Where every partition of `topic` ends now (its high watermark): the next offset to be written. */
export function topicEndOffsets(kafka: Kafka, topic: string): Promise<PartitionOffset[]> {
  return withAdmin(kafka, async (admin) => {
    const offsets = await retryWhileRetriable(() => admin.fetchTopicOffsets(topic));
    return offsets
      .map((o) => ({ partition: o.partition, offset: o.high }))
      .sort((a, b) => a.partition - b.partition);
  });
}

/**
 * Moves a consumer group's committed offsets on `topic` (for example back, so that a stage
 * reprocesses what it already did). Kafka refuses while the group has members, so this waits up
 * to `timeoutMs` for the group to be empty (a member stopped with SIGTERM leaves at once; a
 * killed one stays until its session times out).
 */
export function setGroupOffsets(
  kafka: Kafka,
  opts: { groupId: string; topic: string; partitions: PartitionOffset[]; timeoutMs?: number },
): Promise<void> {
  return withAdmin(kafka, async (admin) => {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const { groups } = await admin.describeGroups([opts.groupId]);
      const state = groups[0]?.state;
      if (state === 'Empty' || state === 'Dead') break;
      if (Date.now() > deadline) {
        throw new Error(`group ${opts.groupId} still has members (state ${state}); stop its consumers first`);
      }
      await sleep(200);
    }
    await admin.setOffsets({ groupId: opts.groupId, topic: opts.topic, partitions: opts.partitions });
  });
}
