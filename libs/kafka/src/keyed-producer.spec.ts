import type { Kafka, Message, ProducerConfig, ProducerBatch, RecordMetadata } from 'kafkajs';
import { Registry } from 'prom-client';
import { createKeyedProducer } from './keyed-producer';
import type { OutRecord } from './records';

const PARTITIONS = [0, 1].map((partitionId) => ({
  partitionId,
  partitionErrorCode: 0,
  leader: 1,
  replicas: [1],
  isr: [1],
}));

/**
 * kafkajs' producer as far as the keyed producer sees it: each request's messages partitioned by
 * the producer's partitioner, and an answer per partition, except for the partitions `drop`
 * names for the next request. That is what kafkajs 2.2.4 answers after a retry in which a
 * partition's leader moved to a broker that had answered an earlier attempt: the partition's
 * messages were never sent, and the request resolves anyway.
 */
function fakeKafka() {
  const requests: { partition: number; value: string }[][] = [];
  const drop: Set<number>[] = [];
  /** Resolves when the next request is under way. */
  let requested: () => void = () => undefined;
  const nextRequest = () => new Promise<void>((resolve) => (requested = resolve));
  const kafka = {
    producer(cfg: ProducerConfig) {
      const partitioner = cfg.createPartitioner!();
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
          const sent: { partition: number; value: string }[] = [];
          const partitions = new Set<number>();
          const skipped = drop.shift() ?? new Set<number>();
          requested();
          await new Promise((resolve) => setImmediate(resolve));
          for (const { topic, messages } of batch.topicMessages!) {
            for (const message of messages as Message[]) {
              const partition = partitioner({ topic, partitionMetadata: PARTITIONS, message });
              if (skipped.has(partition)) continue;
              sent.push({ partition, value: String(message.value) });
              partitions.add(partition);
            }
          }
          requests.push(sent);
          return [...partitions].map((partition) => ({ topicName: 'out', partition, errorCode: 0 }));
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, requests, drop, nextRequest };
}

const record = (partition: number, value: string): OutRecord => ({
  topic: 'out',
  key: Buffer.from('k'),
  value: Buffer.from(value),
  partition,
  headers: {},
});

describe('createKeyedProducer', () => {
  it("sends again, before anything later, the records a request's answer left out", async () => {
    const { kafka, requests, drop, nextRequest } = fakeKafka();
    const registry = new Registry();
    const producer = createKeyedProducer(kafka, { registry });
    await producer.connect();
    drop.push(new Set([1]));
    const underWay = nextRequest();
    const first = producer.send([record(0, 'a'), record(1, 'b'), record(1, 'c')]);
    await underWay;
    // Handed over while the first request is in flight: it must not overtake b and c.
    const second = producer.send([record(1, 'd')]);
    await Promise.all([first, second]);

    expect(requests).toEqual([
      [{ partition: 0, value: 'a' }],
      [
        { partition: 1, value: 'b' },
        { partition: 1, value: 'c' },
      ],
      [{ partition: 1, value: 'd' }],
    ]);
    const resent = await registry.getSingleMetric('threadcast_kafka_records_resent_total')!.get();
    expect(resent.values[0]!.value).toBe(2);
  });

  it('resolves a send only once its records are in an answer', async () => {
    const { kafka, requests, drop } = fakeKafka();
    const producer = createKeyedProducer(kafka);
    drop.push(new Set([0]), new Set([0]));
    await producer.send([record(0, 'x')]);
    expect(requests.map((r) => r.map((m) => m.value))).toEqual([[], [], ['x']]);
  });
});
