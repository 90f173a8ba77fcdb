import { JAVA_FIXTURES } from '../src/murmur2.fixtures';
import { createKeyedProducer, createTopicsAndWait, readTopic, type InRecord } from '../src/index';
import { testKafka, uid } from './kafka-test-kit';

// Done-when of the foundation: records keyed by thread id land, on a real broker, in the
// partition Java's default partitioner picks (fixtures computed by kafka-clients itself).
describe('keyed producer on a real broker', () => {
  const { kafka, logger } = testKafka();
  const admin = kafka.admin();
  const topic = uid('it.partitioning');

  /** Every record of the topic, from the beginning to where it ended when asked. */
  const readAll = async (name: string): Promise<InRecord[]> => {
    const seen: InRecord[] = [];
    const reader = await readTopic({
      kafka,
      topic: name,
      groupId: uid('it-reader'),
      fromBeginning: true,
      logger,
      onRecord: (r) => seen.push(r),
    });
    await reader.caughtUp;
    await reader.stop();
    return seen;
  };

  beforeAll(async () => {
    await admin.connect();
    await createTopicsAndWait(admin, { topics: [{ topic, numPartitions: 12, replicationFactor: 1 }] });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('puts every key in the partition Java murmur2 gives for 12 partitions', async () => {
    const producer = createKeyedProducer(kafka);
    await producer.connect();
    // Many concurrent sends: they share sendBatch calls, and each resolves on the broker's ack.
    await Promise.all(
      JAVA_FIXTURES.map(([key], i) =>
        producer.send([
          { topic, key, value: JSON.stringify({ key, i }), headers: { 'tc-event-id': `e${i}` } },
        ]),
      ),
    );
    await producer.disconnect();

    const seen = await readAll(topic);

    expect(seen).toHaveLength(JAVA_FIXTURES.length);
    for (const [key, , partition] of JAVA_FIXTURES) {
      const rec = seen.find((r) => r.key?.toString('utf8') === key);
      expect({ key, partition: rec?.partition }).toEqual({ key, partition });
      expect(JSON.parse(rec!.value!.toString()).key).toBe(key);
    }
    expect(seen.map((r) => r.headers['tc-event-id']).sort()).toEqual(
      JAVA_FIXTURES.map((_, i) => `e${i}`).sort(),
    );
  });

  it('keeps per-key order while sends pile up behind a request in flight, split at maxBatchRecords', async () => {
    const ordered = uid('it.ordering');
    await createTopicsAndWait(admin, {
      topics: [{ topic: ordered, numPartitions: 3, replicationFactor: 1 }],
    });
    const producer = createKeyedProducer(kafka, { maxBatchRecords: 50 });
    await producer.connect();
    const keys = ['t-a', 't-b', 't-c', 't-d', 't-e'];
    const sends: Promise<void>[] = [];
    // Sends spread over many turns, some of several records, so most arrive while a request is
    // in flight and leave together in the next one.
    for (let seq = 0; seq < 600; seq += 3) {
      sends.push(
        producer.send(
          [0, 1, 2].map((k) => {
            const n = seq + k;
            const key = keys[n % keys.length]!;
            return { topic: ordered, key, value: JSON.stringify({ key, n }), headers: {} };
          }),
        ),
      );
      if (seq % 30 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(sends);
    await producer.disconnect();

    const seen = await readAll(ordered);
    await admin.deleteTopics({ topics: [ordered] }).catch(() => undefined);

    expect(seen).toHaveLength(600);
    for (const key of keys) {
      const got = seen
        .filter((r) => r.key?.toString('utf8') === key)
        .map((r) => (JSON.parse(r.value!.toString()) as { n: number }).n);
      const want = Array.from({ length: 600 }, (_, n) => n).filter((n) => keys[n % keys.length] === key);
      expect(got).toEqual(want);
    }
  });
});
