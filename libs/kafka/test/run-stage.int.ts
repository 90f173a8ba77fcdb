import { DLQ_HEADERS, TOPICS, decodeJson, topicSpecs } from '@threadcast/contracts';
import { PoisonRecordError, RetriableError, createMetricsRegistry } from '@threadcast/runtime';
import {
  createKeyedProducer,
  createTopicsAndWait,
  provisionTopics,
  readTopic,
  runStage,
  type InRecord,
  type OutRecord,
  type RunningStage,
} from '../src/index';
import { testKafka, uid, waitFor } from './kafka-test-kit';

describe('stage runner on a real broker', () => {
  const { kafka, logger } = testKafka();
  const admin = kafka.admin();
  const input = uid('it.stage-in');
  const output = uid('it.stage-out');
  const key = uid('thread');

  beforeAll(async () => {
    await admin.connect();
    // The real DLQ topic, as the platform provisions it.
    await provisionTopics(admin, topicSpecs({ partitions: 12, replicationFactor: 1 }));
    await createTopicsAndWait(admin, {
      topics: [input, output].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('dead-letters a poison record with its reason and keeps processing the next good ones', async () => {
    const producer = createKeyedProducer(kafka);
    await producer.connect();
    let failuresLeft = 2; // the third good record fails twice with a retriable error first
    const handler = (r: InRecord): OutRecord[] => {
      const json = decodeJson(r.value);
      if (!json.ok) throw new PoisonRecordError(json.code, json.message);
      const v = json.value as { n: number };
      if (v.n === 3 && failuresLeft-- > 0) throw new RetriableError('flaky', 'try again');
      return [{ topic: output, key: r.key!, value: JSON.stringify({ n: v.n, doubled: v.n * 2 }) }];
    };
    const groupId = uid('it-stage');
    const start = () =>
      runStage({
        kafka,
        producer,
        stage: 'it-stage',
        groupId,
        topic: input,
        handler,
        logger,
        registry: createMetricsRegistry('it'),
      });
    let stage: RunningStage = await start();

    await producer.send([
      { topic: input, key, value: JSON.stringify({ n: 1 }) },
      { topic: input, key, value: '{"n": 2, oops' },
      { topic: input, key, value: JSON.stringify({ n: 3 }) },
    ]);

    const outputs: InRecord[] = [];
    const outReader = await readTopic({
      kafka,
      topic: output,
      groupId: uid('it-out'),
      fromBeginning: true,
      logger,
      onRecord: (r) => outputs.push(r),
    });
    const dlq: InRecord[] = [];
    const dlqReader = await readTopic({
      kafka,
      topic: TOPICS.dlq,
      groupId: uid('it-dlq'),
      fromBeginning: true,
      logger,
      onRecord: (r) => {
        if (r.key?.toString() === key) dlq.push(r);
      },
    });

    await waitFor('both good records', () => (outputs.length >= 2 ? true : undefined));
    await waitFor('the poison record in the DLQ', () => (dlq.length >= 1 ? true : undefined));
    expect(outputs.map((r) => JSON.parse(r.value!.toString()))).toEqual([
      { n: 1, doubled: 2 },
      { n: 3, doubled: 6 },
    ]);
    const [dead] = dlq;
    expect(dead!.value!.toString()).toBe('{"n": 2, oops');
    expect(dead!.headers).toMatchObject({
      [DLQ_HEADERS.sourceTopic]: input,
      [DLQ_HEADERS.stage]: 'it-stage',
      [DLQ_HEADERS.code]: 'invalid_json',
    });
    expect(dead!.headers[DLQ_HEADERS.reason]).toMatch(/not JSON/);
    expect(Number(dead!.headers[DLQ_HEADERS.sourceOffset])).toBeGreaterThanOrEqual(0);
    expect(Number(dead!.headers[DLQ_HEADERS.sourcePartition])).toBe(outputs[0]!.partition);

    // Offsets were committed after the outputs were acknowledged: a restart of the same group
    // picks up only new records.
    await stage.stop();
    stage = await start();
    await producer.send([{ topic: input, key, value: JSON.stringify({ n: 4 }) }]);
    await waitFor('the record produced after the restart', () => (outputs.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    expect(outputs.map((r) => JSON.parse(r.value!.toString()).n)).toEqual([1, 3, 4]);

    await Promise.all([stage.stop(), outReader.stop(), dlqReader.stop()]);
    await producer.disconnect();
  });
});
