// enrich: comments -> comments.enriched (+ comments.index), joined with the users, threads and
// comments.index tables this pod keeps in memory.
import { telemetry } from './instrument'; // first: see instrument.ts
import { randomUUID } from 'node:crypto';
import { TOPICS } from '@threadcast/contracts';
import { createKafka, createKeyedProducer, startStageService, uniqueGroupId } from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { createBurstTracker } from './burst-tracker';
import { enrichConfig } from './config';
import { enrichMetrics } from './enrich-metrics';
import { enrichRecord, type EnrichDeps } from './enrich-record';
import { createTableReaders } from './table-readers';
import { createTables } from './tables';

void runService({
  name: 'enrich',
  config: enrichConfig,
  async start({ config, logger, registry, readiness, instanceId, onShutdown }) {
    // Registered first, so it runs last: spans of the final batches get exported.
    onShutdown('telemetry', () => telemetry.shutdown());
    const kafka = createKafka(config, logger, 'threadcast-enrich', registry);
    // Unique per process, not per pod name: a restarted process must apply its own earlier writes.
    const writerId = `${instanceId}-${randomUUID().slice(0, 8)}`;
    const tables = createTables();
    const metrics = enrichMetrics(registry, tables);
    const readers = createTableReaders({
      kafka,
      tables,
      // Pod-unique and fresh per start: every pod reads whole tables and never commits.
      groupPrefix: uniqueGroupId(`${config.ENRICH_GROUP_ID}-tables`, instanceId),
      writerId,
      logger,
      onSkipped: (table) => metrics.tableRecordsSkipped.inc({ table }),
    });
    // Registered before the stage: runs after it stopped.
    onShutdown('tables', () => readers.stop());
    const deps: EnrichDeps = {
      burst: createBurstTracker({ maxAuthors: config.ENRICH_BURST_MAX_AUTHORS }),
      writerId,
      spamThreshold: config.ENRICH_SPAM_THRESHOLD,
      observeSpam: (score) => metrics.spamScore.observe(score),
    };
    startStageService({
      logger,
      registry,
      readiness,
      onShutdown,
      kafka,
      producer: createKeyedProducer(kafka, {
        minRequestIntervalMs: config.KAFKA_PRODUCE_INTERVAL_MS,
        maxRequestBytes: config.KAFKA_MAX_REQUEST_BYTES,
      }),
      stage: 'enrich',
      groupId: config.ENRICH_GROUP_ID,
      topic: TOPICS.comments,
      deadLetterTopic: TOPICS.dlq,
      requiredTopics: [
        TOPICS.comments,
        TOPICS.commentsEnriched,
        TOPICS.commentIndex,
        TOPICS.users,
        TOPICS.threads,
        TOPICS.dlq,
      ],
      // Comments handled before the tables are complete would be joined with missing rows.
      restore: async () => {
        await readers.restore();
        logger.info(
          { users: tables.users.size, threads: tables.threads.size, comments: tables.comments.size },
          'tables caught up',
        );
      },
      onAssigned: () => readers.catchUp(),
      handler: (record) => enrichRecord(record, tables, deps),
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    });
  },
});
