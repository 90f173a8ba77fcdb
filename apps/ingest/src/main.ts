// The ingest service: the client HTTP API on INGEST_PORT, producing to Kafka; ops on OPS_PORT.
import { telemetry } from './instrument'; // first: see instrument.ts
import { TOPICS } from '@threadcast/contracts';
import {
  createKafka,
  createKeyedProducer,
  keepTrying,
  watchKafka,
  type KafkaHealth,
} from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { buildIngestApp } from './build-ingest-app';
import { ingestConfig } from './config';
import { PRODUCER_MAX_RETRY_MS } from './produce-queue';

void runService({
  name: 'ingest',
  config: ingestConfig,
  async start(ctx) {
    // Registered first, so it runs last: spans of the final requests and batches get exported.
    ctx.onShutdown('telemetry', () => telemetry.shutdown());
    const { config, logger } = ctx;
    const kafka = createKafka(config, logger, 'threadcast-ingest', ctx.registry);
    const producer = createKeyedProducer(kafka, {
      registry: ctx.registry,
      minRequestIntervalMs: config.KAFKA_PRODUCE_INTERVAL_MS,
      maxRetryTimeMs: PRODUCER_MAX_RETRY_MS,
    });
    let kafkaHealth: KafkaHealth | undefined;
    let connected = false;
    let stopping = false;
    // Registered before anything waits on Kafka, so the pod is not ready until both pass.
    ctx.readiness.add('producer', () => connected);
    ctx.readiness.add('kafka', () => kafkaHealth?.isHealthy() ?? false);
    // First, before anything connects: without API keys (and INGEST_ALLOW_ANONYMOUS) this throws
    // a ConfigError and the process exits 2. It adds the readiness check `produce`.
    const app = buildIngestApp({
      config,
      producer,
      health: { isHealthy: () => connected && (kafkaHealth?.isHealthy() ?? false) },
      registry: ctx.registry,
      logger,
      readiness: ctx.readiness,
    });
    if (config.INGEST_API_KEYS.length === 0) {
      logger.warn('INGEST_ALLOW_ANONYMOUS: no API keys, anyone may write as anyone (local development only)');
    }

    // Nothing here waits for Kafka: the API answers 503 until it is reachable.
    void watchKafka({ kafka, topics: [TOPICS.comments, TOPICS.users, TOPICS.threads], logger }).then(
      (h) => (kafkaHealth = h),
    );
    // While the first probe still waits on an unreachable broker there is nothing to stop yet;
    // the process exits after the last step anyway.
    ctx.onShutdown('kafka-health', () => kafkaHealth?.stop());
    // Shutdown steps run in reverse: the HTTP server drains first, then the producer flushes.
    ctx.onShutdown('producer', async () => {
      stopping = true;
      await producer.disconnect();
    });
    void keepTrying({
      what: 'producer connect',
      attempt: () => producer.connect(),
      logger,
      stopped: () => stopping,
    }).then(() => {
      connected = !stopping;
    });

    await app.listen({ host: config.INGEST_HOST, port: config.INGEST_PORT });
    ctx.onShutdown('http', () => app.close());
    logger.info({ port: config.INGEST_PORT }, 'ingest listening');
  },
});
