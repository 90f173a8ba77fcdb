import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DLQ_HEADERS, HEADERS, TOPICS, topicSpecs } from '@threadcast/contracts';
import { createKafka, createKeyedProducer, deadLetter, provisionTopics, readLog } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';

const root = join(__dirname, '..', '..', '..');

/** Runs `npm run dlq -- <args>` as on-call would (the launcher, on this broker). */
function dlq(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'tools', 'dlq', 'bin', 'dlq.mjs'), ...args], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('npm run dlq on a real broker', () => {
  const logger = createLogger({ service: 'dlq-test', level: 'silent' });
  const kafka = createKafka(
    { KAFKA_BROKERS: process.env.KAFKA_BROKERS!.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    'dlq-test',
  );
  const producer = createKeyedProducer(kafka);
  const run = Math.random().toString(36).slice(2, 8);
  const thread = `t-dlq-${run}`;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, topicSpecs({ partitions: 12, replicationFactor: 1 }));
    await admin.disconnect();
    await producer.connect();
  });
  afterAll(() => producer.disconnect());

  it('lists dead-lettered records with stage, reason and source position, and replays chosen ones', async () => {
    const value = (n: number) =>
      JSON.stringify({ type: 'comment.created', eventId: `e-${run}-${n}`, threadId: thread, n });
    const source = (n: number) => ({
      topic: TOPICS.comments,
      partition: 5,
      offset: String(1000 + n),
      key: Buffer.from(thread),
      value: Buffer.from(value(n)),
      headers: { [HEADERS.eventId]: `e-${run}-${n}` },
      timestamp: String(Date.now()),
    });
    await producer.send([
      deadLetter(
        source(1),
        'enrich',
        { code: 'thread_closed', message: `thread ${thread} is closed` },
        TOPICS.dlq,
      ),
      deadLetter(
        source(2),
        'enrich',
        { code: 'schema_violation', message: 'body: expected string' },
        TOPICS.dlq,
      ),
    ]);

    const listed = await dlq('list', '--since', '10m', '--json');
    expect(listed.err).toBe('');
    expect(listed.code).toBe(0);
    const mine = listed.out
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            key: string;
            code: string;
            stage: string;
            reason: string;
            source: unknown;
          },
      )
      .filter((e) => e.key === thread);
    expect(mine).toEqual([
      expect.objectContaining({
        stage: 'enrich',
        code: 'thread_closed',
        reason: `thread ${thread} is closed`,
        source: { topic: TOPICS.comments, partition: 5, offset: '1001' },
      }),
      expect.objectContaining({
        code: 'schema_violation',
        source: expect.objectContaining({ offset: '1002' }),
      }),
    ]);

    const table = await dlq('list', '--code', 'thread_closed');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(
      /^comments\.dlq: \d+ records? \(code thread_closed\)\nID +DEAD-LETTERED AT +STAGE/,
    );
    // Columns are as wide as their widest cell, whatever else the DLQ holds.
    expect(table.out).toMatch(new RegExp(`\\bcomments/5@1001 +${thread} +thread ${thread} is closed\\n`));

    const before = Date.now();
    const replayed = await dlq('replay', mine[0]!.id);
    expect(replayed.code).toBe(0);
    expect(replayed.out).toContain('re-drove 1 record:');
    expect(replayed.out).toContain(`dlq ${mine[0]!.id} -> comments/`);

    const back = (
      await readLog({ kafka, topic: TOPICS.comments, groupId: `dlq-test-${run}`, logger, since: before })
    ).filter((r) => r.key?.toString() === thread);
    expect(back).toHaveLength(1);
    expect(back[0]!.value!.toString()).toBe(value(1));
    expect(back[0]!.headers[DLQ_HEADERS.replayedFrom]).toBe(`${TOPICS.dlq}/0/${mine[0]!.id}`);
    expect(back[0]!.headers[HEADERS.eventId]).toBe(`e-${run}-1`);
    expect(back[0]!.headers[DLQ_HEADERS.stage]).toBeUndefined();

    const none = await dlq('replay', 'key=nobody');
    expect(none.code).toBe(1);
    expect(none.out).toContain('nothing matches the selector');
    const bad = await dlq('replay');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('replay needs a selector');
  });
});
