import { DLQ_HEADERS, TOPICS } from '@threadcast/contracts';
import type { Logger } from '@threadcast/runtime';
import { isRetriable, PoisonRecordError } from '@threadcast/runtime';
import { context, SpanStatusCode } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { backoffMs, sleep } from './backoff';
import { deadLetter } from './dead-letter';
import type { KeyedProducer } from './keyed-producer';
import { toInRecord, type InRecord, type OutRecord } from './records';
import { startProcessSpan, untraced } from './record-tracing';
import { stageMetrics } from './stage-metrics';

/**
 * A stage's logic: one consumed record in, the records to produce out. Throw a
 * PoisonRecordError (or any non-retriable error) to dead-letter the record; throw an error with
 * `retriable: true` to have the same record tried again after a jittered backoff.
 */
export type StageHandler = (record: InRecord) => OutRecord[] | Promise<OutRecord[]>;

export interface StageOptions {
  kafka: Kafka;
  producer: KeyedProducer;
  stage: string;
  groupId: string;
  topic: string;
  handler: StageHandler;
  logger: Logger;
  registry: Registry;
  /** Partitions processed in parallel; match it to the partitions one pod owns. */
  partitionsConsumedConcurrently?: number;
  /** Outputs are flushed (and offsets committed) at least every this many records. */
  flushEvery?: number;
  /** How long the broker waits for a silent member (a killed pod) before rebalancing. */
  sessionTimeoutMs?: number;
}

export interface RunningStage {
  /** Joined the group and received an assignment at least once. */
  isReady(): boolean;
  stop(): Promise<void>;
}

/**
 * Consume -> handle -> produce, committing a record's offset only after everything it produced
 * (its outputs, or its DLQ copy) is acknowledged. Poison records are dead-lettered with their
 * reason and the partition moves on; retriable failures back off with jitter and try again.
 */
export async function runStage(opts: StageOptions): Promise<RunningStage> {
  const { stage, logger, producer, handler } = opts;
  const metrics = stageMetrics(opts.registry);
  const flushEvery = opts.flushEvery ?? 500;
  const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
  const consumer: Consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout,
    // Kafka's guidance: heartbeat at most a third of the session timeout.
    heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
    maxBytesPerPartition: 1024 * 1024,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  consumer.on(consumer.events.CRASH, (e) => {
    joined = false;
    logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
  });

  /** The record's outputs, made in its own processing span (a child of its publish span). */
  const handle = async (record: InRecord, p: EachBatchPayload): Promise<OutRecord[]> => {
    const { span, ctx } = startProcessSpan(record, stage);
    try {
      const out = await context.with(ctx, () => attempt(record, p));
      for (const r of out) {
        r.traceContext ??= ctx;
        if (r.topic === TOPICS.dlq) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'dead-lettered' });
          span.setAttribute('threadcast.dlq.reason', r.headers?.[DLQ_HEADERS.reason] ?? '');
        }
      }
      return out;
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  };

  const attempt = async (record: InRecord, p: EachBatchPayload): Promise<OutRecord[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await handler(record);
      } catch (e) {
        if (!isRetriable(e)) {
          const code = e instanceof PoisonRecordError ? e.code : 'handler_error';
          const message = e instanceof Error ? e.message : String(e);
          logger.warn(
            {
              topic: record.topic,
              partition: record.partition,
              offset: record.offset,
              code,
              reason: message,
            },
            'dead-lettering record',
          );
          return [deadLetter(record, stage, { code, message })];
        }
        metrics.retries.inc({ stage });
        if (!p.isRunning() || p.isStale()) throw e;
        await sleep(backoffMs(attempt));
        await p.heartbeat();
      }
    }
  };

  const sendWithRetry = async (out: OutRecord[], p: EachBatchPayload) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await producer.send(out);
      } catch (e) {
        metrics.retries.inc({ stage });
        // Not committing is always safe: the batch is fetched again after a restart/rebalance.
        if (!p.isRunning() || p.isStale()) throw e;
        logger.warn({ err: e, attempt }, 'produce failed; retrying');
        await sleep(backoffMs(attempt));
        await p.heartbeat().catch(() => undefined);
      }
    }
  };

  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  // Untraced: the per-batch spans of kafkajs' instrumentation would be noise next to ours.
  await untraced(() =>
    consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
      eachBatch: async (p) => {
        const { batch } = p;
        const started = process.hrtime.bigint();
        let out: OutRecord[] = [];
        let pendingOffset: string | undefined;
        let pendingCount = 0;
        let deadCount = 0;
        const flush = async () => {
          if (pendingOffset === undefined) return;
          await sendWithRetry(out, p);
          p.resolveOffset(pendingOffset);
          metrics.processing.observe(
            { stage },
            Number(process.hrtime.bigint() - started) / 1e9 / Math.max(1, pendingCount),
          );
          metrics.processed.inc({ stage, topic: batch.topic, outcome: 'ok' }, pendingCount - deadCount);
          if (deadCount > 0)
            metrics.processed.inc({ stage, topic: batch.topic, outcome: 'dead_lettered' }, deadCount);
          out = [];
          deadCount = 0;
          pendingOffset = undefined;
          pendingCount = 0;
          await p.commitOffsetsIfNecessary();
          await p.heartbeat();
        };
        for (const m of batch.messages) {
          if (!p.isRunning() || p.isStale()) break;
          const produced = await handle(toInRecord(batch.topic, batch.partition, m), p);
          for (const r of produced) {
            if (r.topic === TOPICS.dlq) deadCount++;
            out.push(r);
          }
          pendingOffset = m.offset;
          pendingCount++;
          if (out.length >= flushEvery) await flush();
        }
        await flush();
        metrics.lag.set(
          { stage, topic: batch.topic, partition: String(batch.partition) },
          Number(batch.offsetLag()),
        );
      },
    }),
  );

  return {
    isReady: () => joined,
    async stop() {
      // disconnect() stops fetching, waits for the running batch and commits resolved offsets.
      await consumer.disconnect();
    },
  };
}
