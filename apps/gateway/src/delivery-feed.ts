/**
 * The gateway's view of `deliveries`: only the partitions its sockets need, each from where the
 * neediest subscription starts. Backed by a PartitionReader (libs/kafka); the server sees only
 * this interface, so its tests can drive a fake.
 */
import { TOPICS } from '@threadcast/contracts';
import {
  createPartitionReader,
  uniqueGroupId,
  type InRecord,
  type Kafka,
  type PartitionBounds,
} from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';
import type { GatewayMetrics } from './gateway-metrics';

export interface DeliveryFeed {
  readonly partitionCount: number;
  /** Starts reading the partition at `offset`, or moves back to it if the reader is past it. */
  readFrom(partition: number, offset: number): void;
  stop(partition: number): void;
  isReading(partition: number): boolean;
  /** Log bounds of every partition, at most `maxAgeMs` old (default: the feed's own). */
  bounds(maxAgeMs?: number): Promise<PartitionBounds[]>;
}

export interface KafkaDeliveryFeed extends DeliveryFeed {
  readonly groupId: string;
  close(): Promise<void>;
}

export async function openDeliveryFeed(opts: {
  kafka: Kafka;
  instanceId: string;
  logger: Logger;
  metrics: GatewayMetrics;
  onRecord(record: InRecord): void;
}): Promise<KafkaDeliveryFeed> {
  const { metrics } = opts;
  const reader = await createPartitionReader({
    kafka: opts.kafka,
    topic: TOPICS.deliveries,
    groupId: uniqueGroupId('threadcast-gateway', opts.instanceId),
    logger: opts.logger,
    onRecord: opts.onRecord,
    onProgress: (partition, next, high) => metrics.partitionLag.set({ partition }, Math.max(0, high - next)),
  });
  const show = (partition: number) => {
    const reading = reader.isReading(partition);
    metrics.partitionReading.set({ partition }, reading ? 1 : 0);
    if (!reading) metrics.partitionLag.remove({ partition });
    metrics.partitionsRead.set(reader.reading().length);
  };
  for (let p = 0; p < reader.partitionCount; p++) show(p);
  return {
    groupId: reader.groupId,
    partitionCount: reader.partitionCount,
    readFrom(partition, offset) {
      const wasReading = reader.isReading(partition);
      const at = reader.position(partition);
      reader.readFrom(partition, offset);
      if (!wasReading) show(partition);
      else if (at !== undefined && offset < at) metrics.replays.inc();
    },
    stop(partition) {
      reader.stop(partition);
      show(partition);
    },
    isReading: (partition) => reader.isReading(partition),
    bounds: (maxAgeMs) => reader.bounds(maxAgeMs),
    close: () => reader.close(),
  };
}
