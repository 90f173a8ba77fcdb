// route: comments.enriched -> deliveries (who gets what), votes -> comments.scores + coalesced
// comment.score updates. Only wiring here; the logic is in the files it imports.
import { telemetry } from './instrument'; // first: see instrument.ts
import { randomUUID } from 'node:crypto';
import { TOPICS, type CommentScoreState } from '@threadcast/contracts';
import {
  createKafka,
  createKeyedProducer,
  openChangelogReader,
  startStageService,
  uniqueGroupId,
  type ChangelogReader,
} from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { createCoalescer } from './coalescer';
import { routeConfig } from './config';
import { createRouteHandler } from './route-handler';
import { routeMetrics } from './route-metrics';
import { loadScoreRecord, SCORE_HEADERS } from './score-changelog';
import { scoreRecord, type PendingScore } from './score-delivery';

void runService({
  name: 'route',
  config: routeConfig,
  async start({ config, logger, registry, readiness, instanceId, onShutdown }) {
    // Registered first, so it runs last: spans of the final batches get exported.
    onShutdown('telemetry', () => telemetry.shutdown());
    const kafka = createKafka(config, logger, 'threadcast-route', registry);
    // Unique per process, not per pod name: a restarted process must apply its own earlier writes.
    const writerId = `${instanceId}-${randomUUID().slice(0, 8)}`;
    const producer = createKeyedProducer(kafka, {
      minRequestIntervalMs: config.KAFKA_PRODUCE_INTERVAL_MS,
      maxRequestBytes: config.KAFKA_MAX_REQUEST_BYTES,
    });

    // The vote table: restored from comments.scores before the stage starts, then kept by this
    // process' own writes; after every rebalance it catches up with what other route pods wrote
    // (their states for the partitions this pod takes over). Never a read-back of its own writes.
    const scores = new Map<string, CommentScoreState>();
    let changelog: ChangelogReader | undefined;
    const openChangelog = async () =>
      (changelog ??= await openChangelogReader({
        kafka,
        topic: TOPICS.commentScores,
        groupId: `${uniqueGroupId(`${config.ROUTE_GROUP_ID}-tables`, instanceId)}-scores`,
        logger,
        onRecord: (r) => {
          if (r.headers[SCORE_HEADERS.writer] !== writerId) loadScoreRecord(scores, r);
        },
      }));
    onShutdown('tables', () => changelog?.close());

    const coalescer = createCoalescer<PendingScore>({
      windowMs: config.ROUTE_VOTE_WINDOW_MS,
      maxPending: config.ROUTE_MAX_DIRTY_COMMENTS,
      build: (commentId, pending) => {
        const state = scores.get(commentId);
        return state && scoreRecord(state, pending);
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
    const metrics = routeMetrics(registry, {
      dirtyComments: coalescer.size,
      scoreTableComments: () => scores.size,
    });

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
      requiredTopics: [TOPICS.commentsEnriched, TOPICS.deliveries, TOPICS.commentScores, TOPICS.dlq],
      restore: async () => {
        await (await openChangelog()).catchUp();
        logger.info({ comments: scores.size }, 'vote table loaded');
      },
      onAssigned: async () => (await openChangelog()).catchUp(),
      handler: createRouteHandler({
        route: { maxMentions: config.ROUTE_MAX_MENTIONS },
        scores,
        coalescer,
        writerId,
        metrics,
      }),
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      // Sends what the last batch marked, before the producer flushes and disconnects.
      afterStop: () => coalescer.close(),
    });
    // Runs first: sends what is pending before the stage drains its batch, in case that is slow.
    onShutdown('coalescer-flush', () => coalescer.flush());
  },
});
