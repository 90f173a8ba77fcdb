// route: comments.enriched -> deliveries (who gets what), votes -> its partition-local `votes`
// store (changelog route.votes-changelog) + coalesced comment.score updates. Only wiring here;
// the logic is in the files it imports.
import { telemetry } from './instrument'; // first: see instrument.ts
import { TOPICS } from '@threadcast/contracts';
import { createKafka, createKeyedProducer, startStageService, uniqueGroupId } from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { createSweeper, openStateStore, retentionWindowMs } from '@threadcast/store';
import { createCoalescer } from './coalescer';
import { routeConfig } from './config';
import { createRouteHandler } from './route-handler';
import { routeMetrics } from './route-metrics';
import { scoreRecord, type PendingScore } from './score-delivery';
import { dropComment, readTally, restoreVotes, VOTES_STORE } from './vote-store';

void runService({
  name: 'route',
  config: routeConfig,
  async start({ config, logger, registry, readiness, instanceId, onShutdown }) {
    // Registered first, so it runs last: spans of the final batches get exported.
    onShutdown('telemetry', () => telemetry.shutdown());
    const kafka = createKafka(config, logger, 'threadcast-route', registry);
    const producer = createKeyedProducer(kafka, {
      registry,
      minRequestIntervalMs: config.KAFKA_PRODUCE_INTERVAL_MS,
      maxRequestBytes: config.KAFKA_MAX_REQUEST_BYTES,
    });

    // The vote state: on disk, only the partitions of comments.enriched this pod is assigned,
    // each restored from its changelog partition before its first record is handled.
    const votes = openStateStore({
      kafka,
      logger,
      registry,
      stateDir: config.STATE_DIR,
      service: 'route',
      name: VOTES_STORE,
      changelogTopic: TOPICS.routeVotesChangelog,
      readerGroupId: `${uniqueGroupId(`${config.ROUTE_GROUP_ID}-stores`, instanceId)}-${VOTES_STORE}`,
      restore: restoreVotes,
    });
    readiness.add('stores', () => votes.isReady());
    // Retention: comments created more than STATE_RETENTION_DAYS ago leave the held partitions,
    // a bounded batch per tick; their tombstones go through the stage's producer.
    const windowMs = retentionWindowMs(config.STATE_RETENTION_DAYS);
    const sweeper = createSweeper({
      store: votes,
      windowMs,
      drop: dropComment,
      send: (records) => producer.send(records),
      logger,
      registry,
    });

    const coalescer = createCoalescer<PendingScore>({
      windowMs: config.ROUTE_VOTE_WINDOW_MS,
      maxPending: config.ROUTE_MAX_DIRTY_COMMENTS,
      build: (commentId, pending) => {
        // A partition handed over meanwhile: its new owner sends the next update.
        if (!votes.holds(pending.partition)) return undefined;
        const tally = readTally(votes.partition(pending.partition).local, commentId);
        return tally && scoreRecord(commentId, tally, pending);
      },
      send: (records) => producer.send(records),
      onFlush: (sent, failed, error) => {
        if (sent > 0) metrics.scoreFlush.inc({ outcome: 'sent' }, sent);
        if (error !== undefined) {
          metrics.scoreFlush.inc({ outcome: 'failed' }, failed);
          logger.warn({ err: error, comments: failed }, 'score flush failed; retrying next window');
        }
      },
    });
    const metrics = routeMetrics(registry, { dirtyComments: coalescer.size });

    startStageService({
      logger,
      registry,
      readiness,
      onShutdown,
      kafka,
      producer,
      stage: 'route',
      groupId: config.ROUTE_GROUP_ID,
      topic: TOPICS.commentsEnriched,
      deadLetterTopic: TOPICS.dlq,
      requiredTopics: [TOPICS.commentsEnriched, TOPICS.deliveries, TOPICS.routeVotesChangelog, TOPICS.dlq],
      // Nothing global to load: the store restores partitions as they are assigned.
      restore: async () => undefined,
      onAssigned: (partitions) => votes.assign(partitions),
      // Everything produced before the committed offsets is acknowledged: checkpoint it.
      onCommitted: () => votes.checkpoint(),
      handler: createRouteHandler({
        route: { maxMentions: config.ROUTE_MAX_MENTIONS },
        votes,
        coalescer,
        metrics,
        retention: { windowMs, now: Date.now },
      }),
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      // Sends what the last batch marked, then checkpoints and closes the store (files kept).
      afterStop: async () => {
        await sweeper.stop();
        await coalescer.close();
        await votes.close();
      },
    });
    sweeper.start();
    // Runs first: sends what is pending before the stage drains its batch, in case that is slow.
    onShutdown('coalescer-flush', () => coalescer.flush());
  },
});
