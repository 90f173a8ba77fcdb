/**
 * Where the gateway's records come from. This version reads every partition of `deliveries`;
 * reading only the partitions this pod's sockets need will replace it behind the same interface.
 */
import { TOPICS } from '@threadcast/contracts';
import { readTopic, uniqueGroupId, type InRecord, type Kafka } from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';

export interface DeliverySource {
  /** The consumer group, unique to this process: nothing else joins it and it commits nothing. */
  readonly groupId: string;
  stop(): Promise<void>;
}

/** From the cluster rather than config, so cursors name the partition a record really came from. */
export async function deliveriesPartitionCount(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPICS.deliveries] });
    const count = topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new Error(`topic ${TOPICS.deliveries} has no partitions`);
    return count;
  } finally {
    await admin.disconnect();
  }
}

/** Live records only (from the end): a gateway forwards what happens while its sockets listen. */
export async function readAllDeliveries(opts: {
  kafka: Kafka;
  instanceId: string;
  logger: Logger;
  onRecord: (record: InRecord) => void;
}): Promise<DeliverySource> {
  const groupId = uniqueGroupId('threadcast-gateway', opts.instanceId);
  const reader = await readTopic({
    kafka: opts.kafka,
    topic: TOPICS.deliveries,
    groupId,
    fromBeginning: false,
    onRecord: opts.onRecord,
    logger: opts.logger,
  });
  return { groupId, stop: () => reader.stop() };
}
