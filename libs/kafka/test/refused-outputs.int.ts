import { DLQ_HEADERS, TOPICS, topicSpecs } from '@threadcast/contracts';
import { PoisonRecordError, createMetricsRegistry, type Logger } from '@threadcast/runtime';
import type { Registry } from 'prom-client';
import {
  createKeyedProducer,
  createTopicsAndWait,
  provisionTopics,
  readTopic,
  runStage,
  type InRecord,
  type Kafka,
  type OutRecord,
} from '../src/index';
import { testKafka, uid, waitFor } from './kafka-test-kit';

// Records are JSON `{ n, pad }`; the handler copies each to the output topic as it is, and throws
// for `poison: true`. Progress, not time: every test waits for a record after the bad one.
interface Input {
  n: number;
  pad: string;
  poison?: boolean;
}

describe('a stage whose outputs the broker refuses for good', () => {
  const { kafka, logger } = testKafka();
  const admin = kafka.admin();
  const created: string[] = [];
  /** Stopped after each test, passed or failed (a failed one must not leave a stage running). */
  let running: (() => Promise<unknown>)[] = [];
  const topic = async (prefix: string, maxMessageBytes?: number): Promise<string> => {
    const name = uid(prefix);
    created.push(name);
    await createTopicsAndWait(admin, {
      topics: [
        {
          topic: name,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries:
            maxMessageBytes === undefined
              ? []
              : [{ name: 'max.message.bytes', value: String(maxMessageBytes) }],
        },
      ],
    });
    return name;
  };
  const feed = async (input: string, key: string, records: Input[]) => {
    const feeder = createKeyedProducer(kafka);
    await feeder.connect();
    await feeder.send(records.map((v) => ({ topic: input, key, value: JSON.stringify(v) })));
    await feeder.disconnect();
  };
  const read = async (t: string, key: string, into: InRecord[]) => {
    const reader = await readTopic({
      kafka,
      topic: t,
      groupId: uid('it-read'),
      fromBeginning: true,
      logger,
      onRecord: (r) => {
        if (r.key?.toString() === key) into.push(r);
      },
    });
    running.push(() => reader.stop());
    return reader;
  };
  const ns = (records: InRecord[]) => [
    ...new Set(records.map((r) => (JSON.parse(r.value!.toString()) as Input).n)),
  ];
  const committed = async (groupId: string, input: string) => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [input] });
    return t?.partitions[0]?.offset;
  };
  const stageOn = (
    k: Kafka,
    input: string,
    output: string,
    o: { groupId: string; dlq: string; maxRequestBytes: number; log?: Logger; registry?: Registry },
  ) => {
    const producer = createKeyedProducer(k, { maxRequestBytes: o.maxRequestBytes });
    const handler = (r: InRecord): OutRecord[] => {
      const v = JSON.parse(r.value!.toString()) as Input;
      if (v.poison) throw new PoisonRecordError('schema_violation', `record ${v.n} is poison`);
      return [{ topic: output, key: r.key!, value: r.value! }];
    };
    return {
      start: async () => {
        await producer.connect();
        const stage = await runStage({
          kafka: k,
          producer,
          stage: 'it-refused',
          groupId: o.groupId,
          topic: input,
          deadLetterTopic: o.dlq,
          handler,
          logger: o.log ?? logger,
          registry: o.registry ?? createMetricsRegistry('it-refused'),
          commitIntervalMs: 200,
        });
        running.push(async () => {
          await stage.stop();
          await producer.disconnect();
        });
        return stage;
      },
    };
  };

  beforeAll(async () => {
    await admin.connect();
    await provisionTopics(admin, topicSpecs({ partitions: 12, replicationFactor: 1 }));
  });
  afterEach(async () => {
    const stops = running;
    running = [];
    await Promise.all(stops.map((stop) => stop()));
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('dead-letters the input of a refused output, and any DLQ copy cut to fit, and goes on with the next records', async () => {
    const input = await topic('it.refused-in');
    // The broker refuses record batches over 20,000 bytes on this topic.
    const output = await topic('it.refused-out', 20_000);
    const key = uid('thread');
    const groupId = uid('it-refused');
    const { start } = stageOn(kafka, input, output, {
      groupId,
      dlq: TOPICS.dlq,
      maxRequestBytes: 50_000,
    });
    await start();
    const outputs: InRecord[] = [];
    const dlq: InRecord[] = [];
    await read(output, key, outputs);
    await read(TOPICS.dlq, key, dlq);
    const big = JSON.stringify({ n: 4, pad: 'y'.repeat(80_000) });
    await feed(input, key, [
      { n: 1, pad: '' },
      // Over the output topic's limit, under the request budget: the broker refuses it.
      { n: 2, pad: 'x'.repeat(30_000) },
      { n: 3, pad: '' },
      // Over the request budget alone: refused without being sent; its DLQ copy is cut to fit.
      JSON.parse(big) as Input,
      { n: 5, pad: '' },
      // A poison record over the request budget: its DLQ copy is cut to fit from the start.
      { n: 6, pad: 'w'.repeat(80_000), poison: true },
      { n: 7, pad: '' },
    ]);

    await waitFor(
      'the output of the record after both refused ones',
      () => (ns(outputs).includes(7) ? true : undefined),
      60_000,
    );
    await waitFor('both refused inputs and the poison one in the DLQ', () =>
      dlq.length >= 3 ? true : undefined,
    );
    await waitFor('the offset after the last record committed', async () =>
      (await committed(groupId, input)) === '7' ? true : undefined,
    );
    expect(ns(outputs)).toEqual([1, 3, 5, 7]);

    // By source offset: a refused output's input is dead-lettered after the batch's other outputs.
    const [two, four, six] = [...dlq].sort(
      (a, b) => Number(a.headers[DLQ_HEADERS.sourceOffset]) - Number(b.headers[DLQ_HEADERS.sourceOffset]),
    );
    for (const [r, offset] of [
      [two!, '1'],
      [four!, '3'],
    ] as const) {
      expect(r.key!.toString()).toBe(key);
      expect(r.headers).toMatchObject({
        [DLQ_HEADERS.sourceTopic]: input,
        [DLQ_HEADERS.sourcePartition]: '0',
        [DLQ_HEADERS.sourceOffset]: offset,
        [DLQ_HEADERS.stage]: 'it-refused',
        [DLQ_HEADERS.code]: 'output_refused',
      });
      expect(r.headers[DLQ_HEADERS.reason]).toContain(output);
    }
    expect(two!.headers[DLQ_HEADERS.reason]).toMatch(/MESSAGE_TOO_LARGE/);
    expect((JSON.parse(two!.value!.toString()) as Input).n).toBe(2);
    expect(two!.headers[DLQ_HEADERS.valueTruncated]).toBeUndefined();
    expect(four!.headers[DLQ_HEADERS.reason]).toMatch(/OVER_REQUEST_BUDGET/);
    expect(four!.headers[DLQ_HEADERS.valueTruncated]).toBe(String(big.length));
    expect(four!.value!.length).toBeGreaterThan(40_000);
    expect(four!.value!.length).toBeLessThan(50_000);
    expect(big.startsWith(four!.value!.toString())).toBe(true);
    expect(six!.headers).toMatchObject({
      [DLQ_HEADERS.sourceOffset]: '5',
      [DLQ_HEADERS.code]: 'schema_violation',
      [DLQ_HEADERS.reason]: 'record 6 is poison',
    });
    expect(Number(six!.headers[DLQ_HEADERS.valueTruncated])).toBeGreaterThan(80_000);
    expect(six!.value!.length).toBeLessThan(50_000);
  });

  it('gives up on a dead-letter copy refused for good: one ERROR with its position, counted, and goes on', async () => {
    const input = await topic('it.lost-in');
    const output = await topic('it.lost-out');
    // A dead-letter topic that refuses the poison record's copy.
    const dlqTopic = await topic('it.lost-dlq', 20_000);
    const key = uid('thread');
    const groupId = uid('it-lost');
    const errors: { obj: unknown; msg: unknown }[] = [];
    const spy = Object.assign(Object.create(logger) as Logger, {
      error: (obj: unknown, msg?: unknown) => errors.push({ obj, msg }),
    });
    const registry = createMetricsRegistry('it-lost');
    const { start } = stageOn(kafka, input, output, {
      groupId,
      dlq: dlqTopic,
      maxRequestBytes: 50_000,
      log: spy,
      registry,
    });
    await start();
    const outputs: InRecord[] = [];
    await read(output, key, outputs);
    await feed(input, key, [
      { n: 1, pad: '' },
      { n: 2, pad: 'x'.repeat(30_000), poison: true },
      { n: 3, pad: '' },
    ]);

    await waitFor(
      'the output of the record after the lost one',
      () => (ns(outputs).includes(3) ? true : undefined),
      60_000,
    );
    await waitFor('the offset after the last record committed', async () =>
      (await committed(groupId, input)) === '3' ? true : undefined,
    );
    expect(ns(outputs)).toEqual([1, 3]);
    const lost = errors.filter((e) => String(e.msg).startsWith('dead-letter copy refused for good'));
    expect(lost).toHaveLength(1);
    expect(lost[0]!.obj).toMatchObject({
      topic: input,
      partition: 0,
      offset: '1',
      error: 'MESSAGE_TOO_LARGE',
    });
    const metric = await registry.getSingleMetric('threadcast_dead_letters_lost_total')?.get();
    expect(metric?.values).toEqual([expect.objectContaining({ value: 1, labels: { stage: 'it-refused' } })]);
  });

  it('splits a batch of outputs over the byte budget into several requests, none over it', async () => {
    const input = await topic('it.budget-in');
    const output = await topic('it.budget-out');
    const key = uid('thread');
    // The records of every sendBatch the stage's producer makes (a real broker behind it).
    const requests: number[] = [];
    const { kafka: watched } = testKafka();
    const make = watched.producer.bind(watched);
    watched.producer = (cfg) => {
      const p = make(cfg);
      const sendBatch = p.sendBatch.bind(p);
      p.sendBatch = (batch) => {
        let bytes = 0;
        for (const t of batch.topicMessages ?? []) {
          for (const m of t.messages) {
            bytes += Buffer.byteLength(m.key ?? '') + Buffer.byteLength(m.value ?? '');
            for (const [name, v] of Object.entries(m.headers ?? {})) bytes += name.length + String(v).length;
          }
        }
        requests.push(bytes);
        return sendBatch(batch);
      };
      return p;
    };
    // 100 records of about 1 KB, all in the topic before the stage starts: one fetch, one batch.
    await feed(
      input,
      key,
      Array.from({ length: 100 }, (_, n) => ({ n, pad: 'z'.repeat(1000) })),
    );
    const { start } = stageOn(watched, input, output, {
      groupId: uid('it-budget'),
      dlq: TOPICS.dlq,
      maxRequestBytes: 20_000,
    });
    await start();
    const outputs: InRecord[] = [];
    await read(output, key, outputs);
    await waitFor('every output', () => (ns(outputs).length === 100 ? true : undefined), 60_000);
    expect(ns(outputs)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    // About 100 KB of records in requests of at most 20,000 bytes.
    expect(requests.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...requests)).toBeLessThanOrEqual(20_000);
  });
});
