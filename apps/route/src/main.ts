// route: comments.enriched -> deliveries (who gets what), votes -> comments.scores + coalesced
// comment.score updates. Only wiring here; the logic is in the files it imports.
import { telemetry } from './instrument'; // first: see instrument.ts
import { randomUUID } from 'node:crypto';
import { TOPICS, type CommentScoreState } from '@threadcast/contracts';
import {
  createKafka,
  createKeyedProducer,
  readTopic,
  runStage,
  watchKafka,
  type RunningStage,
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

    const producer = createKeyedProducer(kafka);
    await producer.connect();
    onShutdown('producer', () => producer.disconnect());

    const health = await watchKafka({
      kafka,
      topics: [TOPICS.commentsEnriched, TOPICS.deliveries, TOPICS.commentScores, TOPICS.dlq],
      logger,
    });
    onShutdown('kafka-health', () => health.stop());
    readiness.add('kafka', health.isHealthy);

    // The vote table. The reader keeps tailing after catch-up so that states other route pods
    // write reach this one before a rebalance hands it their partitions; it skips this
    // process' own writes, which are already in the table (and may be older than it by now).
    const scores = new Map<string, CommentScoreState>();
    const reader = await readTopic({
      kafka,
      topic: TOPICS.commentScores,
      groupId: `${config.ROUTE_GROUP_ID}-scores-${writerId}`,
      fromBeginning: true,
      onRecord: (r) => {
        if (r.headers[SCORE_HEADERS.writer] !== writerId) loadScoreRecord(scores, r);
      },
      logger,
    });
    onShutdown('scores-reader', () => reader.stop());
    readiness.add('scores-table', reader.isCaughtUp);
    await reader.caughtUp;
    logger.info({ comments: scores.size }, 'vote table loaded');

    // Not ready between catch-up and the stage joining its group.
    let stage: RunningStage | undefined = undefined;
    readiness.add('stage', () => stage?.isReady() ?? false);
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
    onShutdown('coalescer-close', () => coalescer.close());

    const running = await runStage({
      kafka,
      producer,
      stage: 'route',
      groupId: config.ROUTE_GROUP_ID,
      topic: TOPICS.commentsEnriched,
      handler: createRouteHandler({
        route: { spamThreshold: config.ROUTE_SPAM_THRESHOLD, maxMentions: config.ROUTE_MAX_MENTIONS },
        scores,
        coalescer,
        writerId,
        metrics,
      }),
      logger,
      registry,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    });
    stage = running;
    onShutdown('stage', () => running.stop());
    // Runs first: sends what is pending before the stage drains its batch, in case that is slow;
    // coalescer-close then sends what the last batch marked.
    onShutdown('coalescer-flush', () => coalescer.flush());
  },
});
