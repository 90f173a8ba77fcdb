// enrich: comments -> comments.enriched (+ comments.index), joined with the users, threads and
// comments.index tables this pod keeps in memory.
import { telemetry } from './instrument'; // first: see instrument.ts
import { TOPICS } from '@threadcast/contracts';
import {
  createKafka,
  createKeyedProducer,
  runStage,
  uniqueGroupId,
  watchKafka,
  type RunningStage,
} from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { createBurstTracker } from './burst-tracker';
import { enrichConfig } from './config';
import { enrichMetrics } from './enrich-metrics';
import { enrichRecord, type EnrichDeps } from './enrich-record';
import { startTableReaders } from './table-readers';
import { createTables } from './tables';

void runService({
  name: 'enrich',
  config: enrichConfig,
  async start({ config, logger, registry, readiness, instanceId, onShutdown }) {
    // Registered first, so it runs last: spans of the final batches get exported.
    onShutdown('telemetry', () => telemetry.shutdown());
    const kafka = createKafka(config, logger, 'threadcast-enrich', registry);
    const health = await watchKafka({
      kafka,
      logger,
      topics: [
        TOPICS.comments,
        TOPICS.commentsEnriched,
        TOPICS.commentIndex,
        TOPICS.users,
        TOPICS.threads,
        TOPICS.dlq,
      ],
    });
    onShutdown('kafka-health', () => health.stop());
    readiness.add('kafka', () => health.isHealthy());

    const producer = createKeyedProducer(kafka);
    await producer.connect();
    onShutdown('producer', () => producer.disconnect());

    const tables = createTables();
    const metrics = enrichMetrics(registry, tables);
    const loadStarted = Date.now();
    const readers = await startTableReaders({
      kafka,
      tables,
      logger,
      // Pod-unique and fresh per start: every pod reads whole tables and never commits.
      groupPrefix: uniqueGroupId(`${config.ENRICH_GROUP_ID}-tables`, instanceId),
      onSkipped: (table) => metrics.tableRecordsSkipped.inc({ table }),
    });
    onShutdown('table-readers', () => readers.stop());
    readiness.add('tables', () => readers.isCaughtUp());

    // Set once the tables are loaded; shutdown may come first.
    let stage: Promise<RunningStage> | undefined = undefined;
    let running: RunningStage | undefined = undefined;
    let stopping = false;
    onShutdown('stage', async () => {
      stopping = true;
      // The readers' disconnect waits out a long poll; it need not wait for the stage's commit.
      await Promise.all([stage?.then((s) => s.stop()), readers.stop()]);
    });
    readiness.add('consumer', () => running?.isReady() ?? false);

    // Comments consumed before the tables are complete would be joined with missing rows.
    await readers.caughtUp;
    if (stopping) return;
    logger.info(
      {
        ms: Date.now() - loadStarted,
        users: tables.users.size,
        threads: tables.threads.size,
        comments: tables.comments.size,
      },
      'tables caught up',
    );
    const deps: EnrichDeps = {
      burst: createBurstTracker({ maxAuthors: config.ENRICH_BURST_MAX_AUTHORS }),
      observeSpam: (score) => metrics.spamScore.observe(score),
    };
    stage = runStage({
      kafka,
      producer,
      stage: 'enrich',
      groupId: config.ENRICH_GROUP_ID,
      topic: TOPICS.comments,
      handler: (record) => enrichRecord(record, tables, deps),
      logger,
      registry,
      partitionsConsumedConcurrently: config.ENRICH_CONCURRENT_PARTITIONS,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    });
    running = await stage;
  },
});
