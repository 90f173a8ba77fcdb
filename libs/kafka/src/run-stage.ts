import { HEADERS } from '@threadcast/contracts';
import type { Logger } from '@threadcast/runtime';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { createAckTracker, type AckTracker } from './ack-tracker';
import { backoffMs, sleep } from './backoff';
import { fitDeadLetter } from './dead-letter';
import { deadLetterRefused } from './dead-letter-refused';
import { RecordsRefusedError, type KeyedProducer } from './keyed-producer';
import { produceErrorKind } from './produce-errors';
import { toInRecord, type InRecord, type OutRecord } from './records';
import { untraced } from './record-tracing';
import { handleRecord, type HandleRecordDeps } from './handle-record';
import { stageMetrics } from './stage-metrics';
import { CONSUMER_RETRY } from './consumer-retry';

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
  /** Where records the handler refuses go (original bytes, source position, stage, reason). */
  deadLetterTopic: string;
  handler: StageHandler;
  logger: Logger;
  registry: Registry;
  /** How long the broker waits for a silent member (a killed pod) before rebalancing. */
  sessionTimeoutMs?: number;
  /** Acknowledged offsets are committed this often (and on rebalance and stop). */
  commitIntervalMs?: number;
  /** Output records handed to the producer and not yet acknowledged before fetching pauses. */
  maxInFlightRecords?: number;
  /** How long an idle fetch waits at the broker; also bounds how long stopping waits for it. */
  maxWaitTimeMs?: number;
  /**
   * Runs after every group join with the partitions assigned to this pod (ascending), and
   * finishes before the first record of the new assignment is handled: a stage restores the
   * state of newly assigned partitions (and drops revoked ones) here. It starts at the join;
   * a batch that arrives meanwhile waits for it, heartbeating. A failure is tried again.
   */
  onAssigned?: (partitions: number[]) => Promise<void>;
  /**
   * After every successful offset commit, with the offsets committed: everything the stage
   * produced for the records before them is acknowledged (a state store writes its checkpoint).
   * Awaited by the next commit and by stop; a throw is logged and tried again at the next one.
   */
  onCommitted?: (offsets: readonly { partition: number; offset: string }[]) => Promise<void>;
}

export interface RunningStage {
  /**
   * Joined the group, and the current assignment is prepared: `onAssigned` for the latest group
   * join finished (its partitions' state restored). False from every join until then.
   */
  isReady(): boolean;
  /** Stops fetching, waits for outputs in flight, commits what was acknowledged, leaves. */
  stop(): Promise<void>;
}

/** Longest `tc-hops` value carried on; a longer one (forged upstream) starts a new trail. */
const MAX_HOPS_CHARS = 200;

/**
 * Consume -> handle -> produce, where each round costs one fetch and one produce and the two
 * overlap: a batch's outputs go to the keyed producer (which coalesces everything handed to it
 * while its one request is in flight) and the next fetch leaves without waiting for their
 * acknowledgement. Offsets are committed every `commitIntervalMs` (and on rebalance and stop),
 * and only up to records whose outputs the broker acknowledged: at least once, never skipping.
 *
 * A failed produce fails everything queued behind it (the producer guarantees that), so the stage
 * stops handing over outputs, waits for what is in flight, seeks every partition back to its
 * last acknowledged offset and goes on from there after a jittered backoff: outputs stay in
 * offset order, and what is sent again carries the same event ids. An output the broker refuses
 * for good (too large, invalid: produce-errors.ts) fails nothing: its input is dead-lettered.
 * Poison records are dead-lettered with their reason; retriable handler errors back off and
 * retry the same record.
 */
export async function runStage(opts: StageOptions): Promise<RunningStage> {
  const { stage, logger, producer, topic } = opts;
  const metrics = stageMetrics(opts.registry);
  const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
  const maxInFlight = opts.maxInFlightRecords ?? 10_000;
  const consumer: Consumer = opts.kafka.consumer({
    retry: CONSUMER_RETRY,
    groupId: opts.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout,
    // Kafka's guidance: heartbeat at most a third of the session timeout.
    heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
    maxBytesPerPartition: 1024 * 1024,
    maxWaitTimeInMs: opts.maxWaitTimeMs ?? 500,
  });

  let joined = false;
  let stopping = false;
  /** Acknowledgements of the current generation; replaced at every group join. */
  let acks: AckTracker = createAckTracker();
  let generation = 0;
  let prepared = 0;
  /** Set when a produce failed: nothing more is handed over until the stage has rewound. */
  let failure: unknown;
  let failures = 0;
  let rewinding: Promise<void> | undefined;
  let committing: Promise<void> | undefined;
  let running: Promise<void> | undefined;

  /** The partitions of the current generation, and their preparation (onAssigned) under way. */
  let assigned: number[] = [];
  let preparing: Promise<void> = Promise.resolve();
  /** The last generation whose onAssigned finished: the stage is ready when it is the current one. */
  let preparedGeneration = 0;
  const prepare = () => {
    const g = generation;
    const work = Promise.resolve().then(() => opts.onAssigned?.(assigned));
    work.then(
      () => {
        if (g === generation) preparedGeneration = g;
      },
      () => undefined,
    );
    return work;
  };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    joined = true;
    generation++;
    acks = createAckTracker();
    assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    preparing = prepare();
  });
  consumer.on(consumer.events.CRASH, (e) => {
    joined = false;
    // kafkajs restarts a consumer that crashed on a retriable error (readiness says so meanwhile);
    // one it does not restart needs someone.
    if (e.payload.restart) {
      logger.warn(
        { err: e.payload.error, restart: true },
        'consumer crashed on a retriable error; restarting',
      );
    } else logger.error({ err: e.payload.error, restart: false }, 'consumer crashed');
  });
  // Best effort before the rejoin: what is committed now is not handled twice by the next owner.
  consumer.on(consumer.events.REBALANCING, () => void commitAcknowledged());

  const commitAcknowledged = (): Promise<void> =>
    (committing ??= (async () => {
      const tracker = acks;
      const offsets = tracker.uncommitted();
      if (offsets.length === 0) return;
      try {
        await consumer.commitOffsets(offsets.map((o) => ({ topic, ...o })));
        tracker.markCommitted(offsets);
      } catch (e) {
        // Not committing is always safe: the next owner starts earlier and handles some again.
        logger.warn({ err: e }, 'offset commit failed; trying again at the next interval');
        return;
      }
      try {
        await opts.onCommitted?.(offsets);
      } catch (e) {
        logger.warn({ err: e }, 'after-commit step failed; trying again at the next commit');
      }
    })().finally(() => (committing = undefined)));
  const commitTimer = setInterval(() => void commitAcknowledged(), opts.commitIntervalMs ?? 1000);
  commitTimer.unref();

  const rewind = (): Promise<void> =>
    (rewinding ??= (async () => {
      const tracker = acks;
      await tracker.settled();
      // A rejoin meanwhile starts the group from its committed offsets anyway.
      if (tracker === acks) {
        for (const { partition, offset } of tracker.restartPoints())
          consumer.seek({ topic, partition, offset });
      }
      metrics.retries.inc({ stage });
      // Refused whatever the records are (ACLs, cluster settings): retrying waits for an operator.
      const level = produceErrorKind(failure) === 'operator' ? 'error' : 'warn';
      logger[level](
        { err: failure, attempt: failures },
        'produce failed; reading again from the last acknowledged offsets',
      );
      await sleep(backoffMs(failures++));
      acks = createAckTracker();
      failure = undefined;
    })().finally(() => (rewinding = undefined)));

  const onSendFailed = (e: unknown) => {
    failure ??= e;
  };

  /** A batch's outputs to the producer; inputs whose outputs are refused for good dead-lettered. */
  const deliver = (out: OutRecord[], inputs: InRecord[]): Promise<void> =>
    producer.send(out).catch((e: unknown) => {
      if (!(e instanceof RecordsRefusedError)) throw e;
      return deadLetterRefused(e.refused, out, inputs, {
        producer,
        stage,
        deadLetterTopic: opts.deadLetterTopic,
        logger,
        onDeadLettered: (r) => metrics.processed.inc({ stage, topic: r.topic, outcome: 'dead_lettered' }),
        onLost: () => metrics.deadLettersLost.inc({ stage }),
      });
    });

  /**
   * Waits for this generation's onAssigned, heartbeating (a cold restore can outlast the session
   * timeout), and starts it again after a failure. False: the batch is to be dropped (a rebalance
   * or stop came meanwhile; its records are fetched again).
   */
  const awaitPrepared = async (p: EachBatchPayload): Promise<boolean> => {
    const g = generation;
    for (let attempt = 0; ; attempt++) {
      const work = preparing;
      let failed: unknown;
      let done = false;
      work.then(
        () => (done = true),
        (e: unknown) => ((failed = e), (done = true)),
      );
      while (!done) {
        await Promise.race([work.catch(() => undefined), sleep(1000)]);
        if (!done) await p.heartbeat().catch(() => undefined);
      }
      if (g !== generation || stopping || !p.isRunning() || p.isStale()) return false;
      if (failed === undefined) {
        prepared = g;
        return true;
      }
      logger.warn({ err: failed, attempt }, 'preparing the assigned partitions failed; trying again');
      await sleep(backoffMs(attempt));
      if (g !== generation || stopping || !p.isRunning()) return false;
      preparing = prepare();
    }
  };

  const handleBatch = async (p: EachBatchPayload): Promise<void> => {
    const { batch } = p;
    if (stopping) return;
    if (failure !== undefined) return rewind();
    if (prepared !== generation && !(await awaitPrepared(p))) return;
    const tracker = acks;
    const partition = batch.partition;
    const out: OutRecord[] = [];
    /** The input of each output. */
    const inputs: InRecord[] = [];
    let first: string | undefined;
    let last: string | undefined;
    let count = 0;
    let dead = 0;
    // Between retries of one record: give up when the partition moved or the stage stops.
    const abandoned = () => !p.isRunning() || p.isStale() || stopping;
    // Once per batch, not per record.
    const deps: HandleRecordDeps = {
      stage,
      handler: opts.handler,
      deadLetterTopic: opts.deadLetterTopic,
      logger,
      onRetry: () => metrics.retries.inc({ stage }),
      abandoned,
      heartbeat: () => p.heartbeat(),
    };
    for (const m of batch.messages) {
      // Stale: a seek (a rewind) moved this partition; the records come again with the next fetch.
      if (!p.isRunning() || p.isStale()) break;
      const record = toInRecord(batch.topic, partition, m);
      const started = performance.now();
      let handled: Awaited<ReturnType<typeof handleRecord>>;
      try {
        handled = await handleRecord(record, deps);
      } catch (e) {
        // Abandoned mid-retry: the record is not resolved, so it is handled again later.
        if (abandoned()) break;
        throw e;
      }
      const { outputs, ctx } = handled;
      metrics.processing.observe({ stage }, (performance.now() - started) / 1000);
      for (const r of outputs) {
        if (r.topic === opts.deadLetterTopic) {
          dead++;
          // A copy of a poison record of several MB is cut to fit a request (dlq-value-truncated).
          out.push(fitDeadLetter(r.traceContext ? r : { ...r, traceContext: ctx }, producer.maxRequestBytes));
        } else {
          out.push(stamped(r, record, ctx));
        }
        inputs.push(record);
      }
      first ??= m.offset;
      last = m.offset;
      count++;
    }
    // A produce failed while this batch was handled: its outputs must not overtake the replay.
    if (last === undefined || first === undefined || failure !== undefined) return;
    const sent = out.length > 0 ? deliver(out, inputs) : undefined;
    sent?.then(() => (failures = 0), onSendFailed);
    tracker.track(partition, first, String(BigInt(last) + 1n), sent, out.length);
    p.resolveOffset(last);
    metrics.processed.inc({ stage, topic: batch.topic, outcome: 'ok' }, count - dead);
    if (dead > 0) metrics.processed.inc({ stage, topic: batch.topic, outcome: 'dead_lettered' }, dead);
    metrics.lag.set({ stage, topic: batch.topic, partition: String(partition) }, Number(batch.offsetLag()));
    // Backpressure: a broker slower than the input holds the next fetch, not memory.
    while (tracker.inFlight() > maxInFlight && failure === undefined) await tracker.nextSettle();
  };

  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    // Untraced: the per-batch spans of kafkajs' instrumentation would be noise next to ours.
    await untraced(() =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (p) => (running = handleBatch(p).finally(() => (running = undefined))),
      }),
    );
  } catch (e) {
    clearInterval(commitTimer);
    await consumer.disconnect().catch(() => undefined);
    throw e;
  }

  let stopped: Promise<void> | undefined;
  return {
    isReady: () => joined && preparedGeneration === generation,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        clearInterval(commitTimer);
        try {
          // Fetches skip paused partitions, so nothing is fetched again just to be dropped.
          consumer.pause([{ topic }]);
        } catch {
          // Not running (crashed): nothing is being fetched.
        }
        await running;
        await rewinding;
        await acks.settled();
        await committing;
        await commitAcknowledged();
        await consumer.disconnect();
      })()),
  };
}

/**
 * An output record with the processing span's context (its publish span's parent) and the input's
 * hop trail extended by the input's own timestamp; a new object, the handler's is left as it is.
 */
function stamped(r: OutRecord, input: InRecord, ctx: OutRecord['traceContext']): OutRecord {
  if (r.changelog) return r;
  const prior = input.headers[HEADERS.hops];
  const hops =
    prior !== undefined && prior.length <= MAX_HOPS_CHARS ? `${prior},${input.timestamp}` : input.timestamp;
  return {
    topic: r.topic,
    key: r.key,
    value: r.value,
    headers: { ...r.headers, [HEADERS.hops]: hops },
    traceContext: r.traceContext ?? ctx,
  };
}
