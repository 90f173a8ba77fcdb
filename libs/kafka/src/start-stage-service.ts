import type { Readiness } from '@threadcast/runtime';
import { watchKafka, type KafkaHealth } from './kafka-health';
import { keepTrying } from './keep-trying';
import { runStage, type RunningStage, type StageOptions } from './run-stage';

/** The stage's own options, plus the service's parts (runService's context) and its tables. */
export interface StageServiceOptions extends Pick<
  StageOptions,
  'kafka' | 'producer' | 'stage' | 'groupId' | 'topic' | 'deadLetterTopic' | 'handler' | 'logger' | 'registry'
> {
  readiness: Readiness;
  onShutdown(name: string, step: () => Promise<void> | void): void;
  /** Topics that must exist for the stage to be ready. */
  requiredTopics: string[];
  /**
   * Loads what the handler joins with, up to where each topic ended when it began. Tried again
   * (after a backoff) until it succeeds, so it must be safe to call again after a failure.
   */
  restore(): Promise<void>;
  /** After every group join, before records of the new assignment: restore or catch up state. */
  onAssigned?(partitions: number[]): Promise<void>;
  /** After every successful offset commit (StageOptions.onCommitted): write store checkpoints. */
  onCommitted?: StageOptions['onCommitted'];
  sessionTimeoutMs: number;
  /** A shutdown step between the stage's stop and the producer's disconnect. */
  afterStop?(): Promise<void>;
}

/**
 * The one shape of enrich and route: readiness `kafka`, `producer`, `tables`, `consumer` (false
 * from each group join until `onAssigned` finished: the assignment's state is restored); the
 * producer connects, the tables restore and the stage joins its group, each retried until it
 * works, so a pod started while Kafka is away stays up (not ready) and starts once Kafka is back.
 * Shutdown runs in reverse: the stage stops (commits what was acknowledged), then `afterStop`,
 * then the producer flushes, then the health probe stops. Returns at once; nothing here waits.
 */
export function startStageService(o: StageServiceOptions): void {
  const { logger } = o;
  let health: KafkaHealth | undefined;
  let connected = false;
  let restored = false;
  let stage: RunningStage | undefined;
  let stopping = false;
  o.readiness.add('kafka', () => health?.isHealthy() ?? false);
  o.readiness.add('producer', () => connected);
  o.readiness.add('tables', () => restored);
  o.readiness.add('consumer', () => stage?.isReady() ?? false);

  void watchKafka({ kafka: o.kafka, topics: o.requiredTopics, logger }).then((h) => {
    health = h;
    if (stopping) void h.stop();
  });
  o.onShutdown('kafka-health', () => health?.stop());
  o.onShutdown('producer', () => o.producer.disconnect());
  if (o.afterStop) o.onShutdown('after-stage', o.afterStop);
  const starting = (async () => {
    const stopped = () => stopping;
    await keepTrying({ what: 'producer connect', attempt: () => o.producer.connect(), logger, stopped });
    connected = !stopping;
    const loadStarted = Date.now();
    await keepTrying({ what: 'table restore', attempt: o.restore, logger, stopped });
    if (stopping) return;
    restored = true;
    logger.info({ ms: Date.now() - loadStarted }, 'tables restored');
    stage = await keepTrying({
      what: 'consumer join',
      attempt: () =>
        runStage({
          kafka: o.kafka,
          producer: o.producer,
          stage: o.stage,
          groupId: o.groupId,
          topic: o.topic,
          deadLetterTopic: o.deadLetterTopic,
          handler: o.handler,
          logger,
          registry: o.registry,
          sessionTimeoutMs: o.sessionTimeoutMs,
          onAssigned: o.onAssigned,
          onCommitted: o.onCommitted,
        }),
      logger,
      stopped,
    });
  })();
  o.onShutdown('stage', async () => {
    stopping = true;
    await starting;
    await stage?.stop();
  });
}
