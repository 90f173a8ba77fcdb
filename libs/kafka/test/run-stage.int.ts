import { DLQ_HEADERS, HEADERS, TOPICS, decodeJson, topicSpecs } from '@threadcast/contracts';
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
        deadLetterTopic: TOPICS.dlq,
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

  it('keeps per-key order across many overlapped batches, stamps the hop trail, dead-letters a refused output and reads again after a failed produce', async () => {
    const producer = createKeyedProducer(kafka, { maxBatchRecords: 50 });
    await producer.connect();
    // An output topic that refuses record batches over 20,000 bytes: one oversized output is
    // refused for real (MESSAGE_TOO_LARGE) and its input dead-lettered; the records sent with it
    // go through.
    const small = uid('it.stage-small');
    await createTopicsAndWait(admin, {
      topics: [
        {
          topic: small,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: '20000' }],
        },
      ],
    });
    const ordered = uid('it.stage-ordered');
    await createTopicsAndWait(admin, {
      topics: [{ topic: ordered, numPartitions: 3, replicationFactor: 1 }],
    });
    const keys = ['a', 'b', 'c', 'd'].map((k) => uid(k));
    // One output without a value, once: kafkajs refuses the whole request (not a broker refusal of
    // a record), so it fails with everything queued behind it and the stage reads again.
    let brokenLeft = 1;
    const handler = (r: InRecord): OutRecord[] => {
      const v = JSON.parse(r.value!.toString()) as { k: string; n: number };
      const big = v.k === keys[0] && v.n === 40;
      if (v.n === 60 && brokenLeft-- > 0) {
        return [{ topic: small, key: v.k, value: undefined as unknown as null }];
      }
      return [
        { topic: small, key: v.k, value: JSON.stringify({ ...v, pad: big ? 'x'.repeat(50_000) : '' }) },
      ];
    };
    const stage = await runStage({
      kafka,
      producer,
      stage: 'it-order',
      groupId: uid('it-order'),
      topic: ordered,
      deadLetterTopic: TOPICS.dlq,
      handler,
      logger,
      registry: createMetricsRegistry('it-order'),
      commitIntervalMs: 200,
    });
    const outputs: InRecord[] = [];
    const reader = await readTopic({
      kafka,
      topic: small,
      groupId: uid('it-order-out'),
      fromBeginning: true,
      logger,
      onRecord: (r) => outputs.push(r),
    });
    const dlq: InRecord[] = [];
    const dlqReader = await readTopic({
      kafka,
      topic: TOPICS.dlq,
      groupId: uid('it-order-dlq'),
      fromBeginning: true,
      logger,
      onRecord: (r) => {
        if (r.key?.toString() === keys[0]) dlq.push(r);
      },
    });
    const sent: InRecord[] = [];
    const inputs = await readTopic({
      kafka,
      topic: ordered,
      groupId: uid('it-order-in'),
      fromBeginning: true,
      logger,
      onRecord: (r) => sent.push(r),
    });
    // 400 records in 100 sends over many event-loop turns: many small fetches and batches. A
    // producer of its own: the stage's fails what is queued behind its failed request.
    const feeder = createKeyedProducer(kafka);
    await feeder.connect();
    for (let n = 0; n < 100; n++) {
      await feeder.send(keys.map((k) => ({ topic: ordered, key: k, value: JSON.stringify({ k, n }) })));
    }
    await feeder.disconnect();
    const firstSeen = () => {
      const byKey = new Map<string, number[]>();
      const seen = new Set<string>();
      for (const r of outputs) {
        const v = JSON.parse(r.value!.toString()) as { k: string; n: number };
        if (seen.has(`${v.k}/${v.n}`)) continue;
        seen.add(`${v.k}/${v.n}`);
        byKey.set(v.k, [...(byKey.get(v.k) ?? []), v.n]);
      }
      return byKey;
    };
    const expected = (k: string) =>
      Array.from({ length: 100 }, (_, n) => n).filter((n) => k !== keys[0] || n !== 40);
    await waitFor('every output, once the failed produce was read again', () =>
      keys.every((k) => (firstSeen().get(k) ?? []).length === expected(k).length) ? true : undefined,
    );
    for (const k of keys) expect(firstSeen().get(k)).toEqual(expected(k));
    // The request really failed and was read again.
    expect(brokenLeft).toBeLessThan(0);
    // The oversized output's input is in the DLQ, whole (it is small), with the broker's reason.
    await waitFor('the refused record in the DLQ', () => (dlq.length > 0 ? true : undefined));
    expect(JSON.parse(dlq[0]!.value!.toString())).toEqual({ k: keys[0], n: 40 });
    expect(dlq[0]!.headers[DLQ_HEADERS.code]).toBe('output_refused');
    expect(dlq[0]!.headers[DLQ_HEADERS.reason]).toMatch(/MESSAGE_TOO_LARGE/);
    // Each output carries its input's Kafka timestamp as the start of its hop trail.
    const inputTime = new Map(
      sent.map((r) => [`${r.key!.toString()}/${JSON.parse(r.value!.toString()).n}`, r.timestamp]),
    );
    for (const r of outputs.slice(0, 50)) {
      const v = JSON.parse(r.value!.toString()) as { k: string; n: number };
      expect(r.headers[HEADERS.hops]).toBe(inputTime.get(`${v.k}/${v.n}`));
    }
    await Promise.all([stage.stop(), reader.stop(), inputs.stop(), dlqReader.stop()]);
    await producer.disconnect();
    await admin.deleteTopics({ topics: [small, ordered] }).catch(() => undefined);
  });

  it('is not ready from a group join until onAssigned (the restore of its partitions) finishes', async () => {
    const producer = createKeyedProducer(kafka);
    await producer.connect();
    let assignedWith: number[] | undefined;
    let finishRestore: () => void = () => undefined;
    const restoring = new Promise<void>((resolve) => (finishRestore = resolve));
    const stage = await runStage({
      kafka,
      producer,
      stage: 'it-ready',
      groupId: uid('it-ready'),
      topic: input,
      deadLetterTopic: TOPICS.dlq,
      handler: () => [],
      logger,
      registry: createMetricsRegistry('it'),
      onAssigned: async (partitions) => {
        assignedWith = partitions;
        await restoring;
      },
    });
    try {
      // Joined with every partition, the restore still under way: not ready.
      await waitFor('the group join', () => assignedWith);
      expect(assignedWith).toEqual([0, 1, 2]);
      expect(stage.isReady()).toBe(false);
      finishRestore();
      await waitFor('ready', () => (stage.isReady() ? true : undefined));
    } finally {
      finishRestore();
      await stage.stop();
      await producer.disconnect();
    }
  });
});
