import { TOPICS, topicSpecs } from '@threadcast/contracts';
import { createKafka, createKeyedProducer, provisionTopics, readLog, type Kafka } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { apiKeyList } from '../src/api-keys';
import { buildIngestApp, type IngestAppConfig } from '../src/build-ingest-app';
import { PRODUCER_MAX_RETRY_MS } from '../src/produce-queue';

// Issue 15, point 8, on a real broker: the broker answers metadata but does not acknowledge
// writes. min.insync.replicas=2 cannot do it on a one-node Kafka 4 (the broker caps it at the
// replication factor), so here `comments` is deleted: every produce is answered "unknown topic"
// and kafkajs retries it, as it retries NOT_ENOUGH_REPLICAS. Ingest must answer 503 (at once
// when the bytes waiting for Kafka are at the bound), keep those bytes bounded, report not ready,
// and drop what timed out: once `comments` is back, only writes answered 202 are in it.
// (It deletes `comments` on the shared test broker, then provisions it again.)
const QUEUE_BYTES = 65_536;
const logger = createLogger({ service: 'ingest-it', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const config: IngestAppConfig = {
  INGEST_MAX_BODY_BYTES: 16_384,
  INGEST_API_KEYS: apiKeyList('').parse('it:it-secret'),
  INGEST_ALLOW_ANONYMOUS: false,
  INGEST_CORS_ORIGINS: [],
  INGEST_RATE_PER_AUTHOR: 0,
  INGEST_BURST_PER_AUTHOR: 1,
  INGEST_RATE_MAX_AUTHORS: 1000,
  INGEST_PRODUCE_TIMEOUT_MS: 1500,
  INGEST_PRODUCE_QUEUE_BYTES: QUEUE_BYTES,
  INGEST_IDEMPOTENCY_CACHE_SIZE: 100,
  INGEST_IDEMPOTENCY_TTL_SECONDS: 60,
};

describe('ingest while Kafka does not acknowledge writes', () => {
  let kafka: Kafka;
  const admin = () => kafka.admin();
  const provision = async () => {
    const a = admin();
    await a.connect();
    try {
      // A deleted topic takes a moment to go; until then it cannot be created again.
      for (let i = 0; ; i++) {
        try {
          await provisionTopics(a, topicSpecs({ partitions: 12, replicationFactor: 1 }));
          return;
        } catch (e) {
          if (i >= 100) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      await a.disconnect();
    }
  };
  const deleteComments = async () => {
    const a = admin();
    await a.connect();
    try {
      await a.deleteTopics({ topics: [TOPICS.comments] });
    } finally {
      await a.disconnect();
    }
  };

  beforeAll(async () => {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the integration jest config');
    kafka = createKafka(
      { KAFKA_BROKERS: brokers.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
      logger,
      'threadcast-ingest-it',
    );
    await provision();
  });
  afterAll(async () => {
    await provision();
  });

  it('answers 503, keeps the queued bytes bounded, is not ready, and lands nothing it answered 503 for', async () => {
    const producer = createKeyedProducer(kafka, { maxRetryTimeMs: PRODUCER_MAX_RETRY_MS });
    await producer.connect();
    const registry = new Registry();
    const checks = new Map<string, () => boolean>();
    const app = buildIngestApp({
      config,
      producer,
      health: { isHealthy: () => true },
      registry,
      logger,
      readiness: { add: (name, check) => void checks.set(name, check) },
    });
    const ready = checks.get('produce')!;
    const thread = `t-${randomUUID().slice(0, 8)}`;
    const filler = 'x'.repeat(3000); // about 3.4 KB a record: 20 fill the 64 KiB bound
    const post = (body: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/threads/${thread}/comments`,
        headers: { 'content-type': 'application/json', 'x-api-key': 'it-secret' },
        payload: JSON.stringify({ author: { id: 'u1' }, body: `${body} ${filler}` }),
      });
    const accepted: string[] = [];
    const refused: { body: string; message: string }[] = [];
    const record = async (body: string) => {
      const res = await post(body);
      if (res.statusCode === 202) accepted.push(body);
      else {
        expect([body, res.statusCode, res.json().error.code]).toEqual([body, 503, 'kafka_unavailable']);
        refused.push({ body, message: res.json().error.message });
      }
    };
    const queuedBytes = async () =>
      (await registry.getSingleMetric('threadcast_ingest_produce_queue_bytes')!.get()).values[0]!.value;

    try {
      await record('before');
      expect(accepted).toEqual(['before']);
      expect(ready()).toBe(true);

      await deleteComments();
      for (let i = 0; refused.length === 0; i++) await record(`probe-${i}`);

      // A burst of 60 writes, three times what the bound holds, sampling the bytes meanwhile.
      let maxQueued = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          maxQueued = Math.max(maxQueued, await queuedBytes());
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await Promise.all(Array.from({ length: 60 }, (_, i) => record(`burst-${i}`)));
      sampling = false;
      await sampler;

      const burst = refused.filter((r) => r.body.startsWith('burst-'));
      expect(burst).toHaveLength(60);
      const full = burst.filter((r) => r.message.includes('not keeping up'));
      const timedOut = burst.filter((r) => r.message.includes('did not acknowledge'));
      expect(full.length).toBeGreaterThan(0);
      expect(timedOut.length).toBeGreaterThan(0);
      expect(full.length + timedOut.length).toBe(60);
      expect(maxQueued).toBeGreaterThan(0);
      expect(maxQueued).toBeLessThanOrEqual(QUEUE_BYTES);
      expect(ready()).toBe(false);

      // The broker acknowledges again: the next write goes through and the pod is ready.
      await provision();
      for (let i = 0; !accepted.includes(`after-${i - 1}`); i++) await record(`after-${i}`);
      expect(ready()).toBe(true);
      expect(await queuedBytes()).toBe(0);

      // A last write, after anything dropped would have had its chance to land.
      await new Promise((r) => setTimeout(r, 3 * PRODUCER_MAX_RETRY_MS));
      await record('last');
      const landed = (
        await readLog({ kafka, topic: TOPICS.comments, groupId: `ingest-it-${thread}`, logger })
      )
        .filter((r) => r.key?.toString() === thread)
        .map((r) => (JSON.parse(String(r.value)) as { body: string }).body.split(' ')[0]!);
      // Exactly what was answered 202 since `comments` came back, once each: nothing answered 503
      // landed later. (What was accepted before went with the deleted topic.)
      const acceptedSince = accepted.filter((b) => b.startsWith('after-') || b === 'last');
      expect(landed.sort()).toEqual(acceptedSince.sort());
      expect(refused.length).toBeGreaterThanOrEqual(61);
      process.stdout.write(
        `backpressure figures: ${refused.length} refused (${full.length} at once, queue full; ${timedOut.length} timed out), ` +
          `${accepted.length} accepted, max queued ${maxQueued} of ${QUEUE_BYTES} bytes, ${landed.length} landed\n`,
      );
    } finally {
      await app.close();
      await producer.disconnect();
    }
  });
});
