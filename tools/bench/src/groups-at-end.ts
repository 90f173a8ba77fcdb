/**
 * Starts new consumer groups at the end of their topic. The stages start a group they have never
 * seen from the beginning (right for a new deployment); on a broker that earlier runs have
 * filled, a fresh bench group would first work through all of their comments, and the run would
 * measure that backlog instead of its own posts.
 */
import { benchKafka } from './kafka-client';

export async function startGroupsAtEnd(
  brokers: string,
  groups: { groupId: string; topic: string }[],
): Promise<void> {
  const { kafka } = benchKafka(brokers, 'threadcast-bench-admin');
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const { groupId, topic } of groups) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
