// enrich: comments -> comments.enriched (+ its comment index changelog), joined with the users
// and threads global tables and the partition-local comment index, all on local disk (libs/store).
import { telemetry } from './instrument'; // first: see instrument.ts
import { TOPICS, type ThreadInfo, type UserProfile } from '@threadcast/contracts';
import { createKafka, createKeyedProducer, startStageService, uniqueGroupId } from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { createSweeper, openGlobalTable, openStateStore, retentionWindowMs } from '@threadcast/store';
import { createBurstTracker } from './burst-tracker';
import { enrichConfig } from './config';
import { enrichMetrics } from './enrich-metrics';
import { enrichRecord, type EnrichDeps } from './enrich-record';
import {
  checkTableRecord,
  COMMENTS_STORE,
  dropCommentEntry,
  lmdbTable,
  storeCommentIndex,
  TABLE_SPECS,
} from './tables';

void runService({
  name: 'enrich',
  config: enrichConfig,
  async start({ config, logger, registry, readiness, instanceId, onShutdown }) {
    // Registered first, so it runs last: spans of the final batches get exported.
    onShutdown('telemetry', () => telemetry.shutdown());
    const kafka = createKafka(config, logger, 'threadcast-enrich', registry);
    const producer = createKeyedProducer(kafka, {
      registry,
      minRequestIntervalMs: config.KAFKA_PRODUCE_INTERVAL_MS,
      maxRequestBytes: config.KAFKA_MAX_REQUEST_BYTES,
    });
    // Reader groups unique to the process; each reader deletes its group when it closes.
    const readerGroup = uniqueGroupId(`${config.ENRICH_GROUP_ID}-stores`, instanceId);

    // users and threads: whole in every pod, on disk, restored from their checkpoints, then followed.
    const global = (name: 'users' | 'threads') =>
      openGlobalTable({
        kafka,
        logger,
        registry,
        stateDir: config.STATE_DIR,
        service: 'enrich',
        name,
        topic: TABLE_SPECS[name].topic,
        readerGroupId: `${readerGroup}-${name}`,
        check: (key, value) => checkTableRecord(name, key, value),
        onSkipped(record, reason) {
          metrics.tableRecordsSkipped.inc({ table: name });
          const { topic, partition, offset } = record;
          logger.warn({ topic, partition, offset, reason }, 'skipping invalid table record');
        },
      });
    const users = global('users');
    const threads = global('threads');
    // The comment index: only the partitions of comments this pod is assigned, each restored from
    // its changelog partition before its first record is handled.
    const comments = openStateStore({
      kafka,
      logger,
      registry,
      stateDir: config.STATE_DIR,
      service: 'enrich',
      name: COMMENTS_STORE,
      changelogTopic: TOPICS.enrichCommentsChangelog,
      readerGroupId: `${readerGroup}-${COMMENTS_STORE}`,
    });
    readiness.add('stores', () => comments.isReady());
    const metrics = enrichMetrics(registry, { users: () => users.count(), threads: () => threads.count() });

    // Retention: entries of comments created more than STATE_RETENTION_DAYS ago leave the held
    // partitions, a bounded batch per tick; their tombstones go through the stage's producer.
    const windowMs = retentionWindowMs(config.STATE_RETENTION_DAYS);
    const sweeper = createSweeper({
      store: comments,
      windowMs,
      drop: dropCommentEntry,
      send: (records) => producer.send(records),
      logger,
      registry,
    });
    const deps: EnrichDeps = {
      retentionWindowMs: windowMs,
      burst: createBurstTracker({ maxAuthors: config.ENRICH_BURST_MAX_AUTHORS }),
      spamThreshold: config.ENRICH_SPAM_THRESHOLD,
      observeSpam: (score) => metrics.spamScore.observe(score),
    };
    const userTable = lmdbTable<UserProfile>(users);
    const threadTable = lmdbTable<ThreadInfo>(threads);
    startStageService({
      logger,
      registry,
      readiness,
      onShutdown,
      kafka,
      producer,
      stage: 'enrich',
      groupId: config.ENRICH_GROUP_ID,
      topic: TOPICS.comments,
      deadLetterTopic: TOPICS.dlq,
      requiredTopics: [
        TOPICS.comments,
        TOPICS.commentsEnriched,
        TOPICS.enrichCommentsChangelog,
        TOPICS.users,
        TOPICS.threads,
        TOPICS.dlq,
      ],
      // Comments handled before users and threads are complete would be joined with missing rows.
      restore: async () => {
        await Promise.all([users.restore(), threads.restore()]);
        logger.info({ users: users.count(), threads: threads.count() }, 'tables caught up');
      },
      onAssigned: (partitions) => comments.assign(partitions),
      // Everything produced before the committed offsets is acknowledged: checkpoint it.
      onCommitted: () => comments.checkpoint(),
      handler: (record) =>
        enrichRecord(
          record,
          {
            users: userTable,
            threads: threadTable,
            comments: storeCommentIndex(comments.partition(record.partition)),
          },
          deps,
        ),
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      // Checkpoints and closes the stores (files kept) once the stage stopped.
      afterStop: async () => {
        await sweeper.stop();
        await comments.close();
        await Promise.all([users.close(), threads.close()]);
      },
    });
    sweeper.start();
  },
});
