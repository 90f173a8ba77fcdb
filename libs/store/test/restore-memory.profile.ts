/**
 * A measurement, not a test (not matched by the integration target): a cold restore of
 * PROFILE_RECORDS route-like records (default 2,000,000: `v/<comment>/<voter>` -> `+`, a local
 * tally per comment) over PROFILE_PARTITIONS partitions (default 12), with the process' memory
 * sampled during and after it. Two runs under one broker: the first seeds the topic (and writes
 * its name to PROFILE_TOPIC_FILE), the second, a fresh process, restores it.
 *
 *   THREADCAST_TRACING=off node tools/scripts/with-kafka.mjs sh -c 'cd libs/store && \
 *     export PROFILE_TOPIC_FILE=$(mktemp) && \
 *     PROFILE_PHASE=seed npx jest -c jest.integration.cjs --testMatch "**\/restore-memory.profile.ts" && \
 *     PROFILE_PHASE=restore NODE_OPTIONS=--expose-gc npx jest -c jest.integration.cjs --testMatch "**\/restore-memory.profile.ts"'
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createKafka, createKeyedProducer, createTopicsAndWait, type OutRecord } from '@threadcast/kafka';
import { createLogger, createMetricsRegistry } from '@threadcast/runtime';
import { openStateStore, type RestoreFn } from '../src/index';

const MB = 1024 * 1024;
const RECORDS = Number(process.env.PROFILE_RECORDS ?? 2_000_000);
const PARTITIONS = Number(process.env.PROFILE_PARTITIONS ?? 12);
const PHASE = process.env.PROFILE_PHASE ?? 'seed';
const TOPIC_FILE = process.env.PROFILE_TOPIC_FILE!;

/** Resident anonymous and file-backed pages (LMDB's map), from the kernel. */
function rssParts(): { anon: number; file: number } {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}

function snapshot(label: string) {
  const m = process.memoryUsage();
  const p = rssParts();
  const f = (n: number) => `${(n / MB).toFixed(0)}`.padStart(5);
  return `${label.padEnd(22)} rss ${f(m.rss)} anon ${f(p.anon)} file ${f(p.file)} heap ${f(m.heapUsed)}/${f(m.heapTotal)} external ${f(m.external)} arrayBuffers ${f(m.arrayBuffers)} (MB)`;
}

/** route's restore in short: the record as written, and a tally per comment in `local`. */
const tallyRestore: RestoreFn = (view, key, value) => {
  view.set(key, value);
  const commentId = key.slice(2, key.indexOf('/', 2));
  const t = view.local.get(commentId);
  const up = t ? t.readUInt32BE(0) + 1 : 1;
  const b = Buffer.alloc(8);
  b.writeUInt32BE(up, 0);
  view.local.set(commentId, b);
};

it(`${PHASE}: a cold restore of ${RECORDS} records over ${PARTITIONS} partitions`, async () => {
  const brokers = process.env.KAFKA_BROKERS!;
  const logger = createLogger({ service: 'profile', level: 'warn' });
  const kafka = createKafka(
    { KAFKA_BROKERS: brokers.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    'threadcast-profile',
  );
  const admin = kafka.admin();
  await admin.connect();
  if (PHASE === 'seed') {
    const topic = `profile.changelog-${randomUUID().slice(0, 8)}`;
    await createTopicsAndWait(admin, {
      topics: [
        {
          topic,
          numPartitions: PARTITIONS,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    await seed(kafka, topic);
    writeFileSync(TOPIC_FILE, topic);
    await admin.disconnect();
    return;
  }
  const topic = readFileSync(TOPIC_FILE, 'utf8');

  const dir = mkdtempSync(join(tmpdir(), 'store-profile-'));
  const lines: string[] = [];
  global.gc?.();
  lines.push(snapshot('before restore'));
  const store = openStateStore({
    kafka,
    logger,
    registry: createMetricsRegistry('profile'),
    stateDir: dir,
    service: 'profile',
    name: 'votes',
    changelogTopic: topic,
    readerGroupId: `profile-reader-${randomUUID().slice(0, 8)}`,
    restore: tallyRestore,
  });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const started = performance.now();
  const all = Array.from({ length: PARTITIONS }, (_, p) => p);
  await store.assign(all);
  clearInterval(sampler);
  const restored = store.restores().reduce((n, r) => n + r.records, 0);
  lines.push(
    `restored ${restored} records in ${((performance.now() - started) / 1000).toFixed(1)} s; peak rss ${(peak / MB).toFixed(0)} MB`,
  );
  lines.push(snapshot('after restore'));
  global.gc?.();
  lines.push(snapshot('after restore + gc'));
  await new Promise((r) => setTimeout(r, 2000));
  global.gc?.();
  lines.push(snapshot('2 s later + gc'));
  expect(restored).toBe(RECORDS);
  await store.close();
  lines.push(snapshot('after close'));
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`\n${lines.join('\n')}\n`);
}, 900_000);

async function seed(kafka: Parameters<typeof createKeyedProducer>[0], topic: string) {
  const producer = createKeyedProducer(kafka, { maxBatchRecords: 10_000 });
  await producer.connect();
  for (let i = 0; i < RECORDS; i += 10_000) {
    const chunk: OutRecord[] = [];
    for (let j = i; j < Math.min(RECORDS, i + 10_000); j++) {
      const key = `v/c${j % 100_000}/u${j}`;
      chunk.push({ topic, partition: (j % 100_000) % PARTITIONS, key, value: '+', changelog: true });
    }
    await producer.send(chunk);
  }
  await producer.disconnect();
}
