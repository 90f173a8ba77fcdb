import { context, type Span } from '@opentelemetry/api';
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { partitionForKey } from './murmur2';
import type { OutRecord } from './records';
import { endSpans, startPublishSpans, untraced } from './record-tracing';

export interface KeyedProducer {
  connect(): Promise<void>;
  /**
   * Resolves once the broker acknowledged every record (acks=all). Calls made in the same
   * event-loop turn, or while a request is in flight, share one `sendBatch` (up to
   * `maxBatchRecords`), so a busy ingest sends few, large requests. Sends are acknowledged in
   * the order they were made; when a request fails, it and everything queued behind it reject.
   * The records are not modified.
   *
   * `signal` lets the caller give up: a send still queued is dropped and rejects at once with the
   * signal's reason; a send already in a request makes that request be abandoned at its next
   * retry (its records are never sent again), and it rejects when that happens (or resolves, if
   * the attempt under way succeeds). Either way a rejected send was not written.
   */
  send(records: readonly OutRecord[], opts?: { signal?: AbortSignal }): Promise<void>;
  disconnect(): Promise<void>;
}

/** Kafka's Java default partitioner for keyed records, as a kafkajs partitioner. */
export const javaCompatiblePartitioner =
  () => (args: { partitionMetadata: { partitionId: number }[]; message: Message }) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== undefined) return message.partition;
    if (message.key === null || message.key === undefined) {
      throw new Error('keyed producer: every record needs a key');
    }
    return partitionForKey(message.key, partitionMetadata.length);
  };

interface Pending {
  records: readonly OutRecord[];
  /** Removes the abort listener once the send settles. */
  cleanup?: () => void;
  /** Each record's headers with its publish span's trace context. */
  headers: Record<string, string>[];
  spans: Span[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Ends the retries of a request whose sender gave up; kafkajs does not retry it. */
class AbandonedError extends Error {
  readonly retriable = false;
  constructor() {
    super('keyed producer: request abandoned, its sender gave up; its records are not sent');
    this.name = 'AbandonedError';
  }
}

/** Idempotent, acks=all producer that batches concurrent sends into one `sendBatch`. */
export function createKeyedProducer(
  kafka: Kafka,
  opts: {
    maxBatchRecords?: number;
    /**
     * The least time between the starts of two requests. A busy producer's records wait for the
     * gap and leave together; one that sends less often than this never waits. Each request costs
     * the broker about the same whatever its size, so this bounds the broker's work per producer.
     */
    minRequestIntervalMs?: number;
    /** Longest wait between two attempts of a request kafkajs retries (default 5000 ms). */
    maxRetryTimeMs?: number;
  } = {},
): KeyedProducer {
  const maxBatch = opts.maxBatchRecords ?? 1000;
  const minInterval = opts.minRequestIntervalMs ?? 0;
  let lastStart = -Infinity;
  let gapTimer: NodeJS.Timeout | undefined;
  /** Disconnecting: what is queued leaves at once. */
  let flushing = false;
  const make = (): Producer =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // The idempotent producer must not give up on its own (kafkajs warns otherwise); callers
      // bound the wait instead (ingest answers 503 after a timeout, stages retry with backoff).
      retry: {
        retries: Number.MAX_SAFE_INTEGER,
        initialRetryTime: Math.min(200, opts.maxRetryTimeMs ?? 200),
        maxRetryTime: opts.maxRetryTimeMs ?? 5000,
      },
      allowAutoTopicCreation: false,
      createPartitioner: abandoningPartitioner,
    });
  /**
   * Messages of a request whose sender gave up. kafkajs retries a request by partitioning its
   * messages again: refusing them there (not retriable) ends the retries, so they are never sent
   * again and the request fails like any other.
   */
  const abandoned = new WeakSet<Message>();
  const abandoningPartitioner = () => {
    const partition = javaCompatiblePartitioner();
    return (args: Parameters<typeof partition>[0]) => {
      if (abandoned.has(args.message)) throw new AbandonedError();
      return partition(args);
    };
  };
  /** The request in flight: its sends and the messages kafkajs holds. */
  let inFlight: { batch: Pending[]; messages: Message[] } | undefined;
  let producer = make();
  /** The current producer's connect; a send waits for it. */
  let connected: Promise<void> | undefined;
  /**
   * After a failed request kafkajs' idempotent producer keeps the sequence numbers it gave the
   * lost records, and the broker answers every later request with OUT_OF_ORDER_SEQUENCE_NUMBER.
   * Java's producer bumps its epoch; here the producer is replaced: a new producer id, sequences
   * from zero. What failed is sent again by its caller (a stage reads it again, ingest answers 503).
   */
  const replace = () => {
    const old = producer;
    producer = make();
    connected = producer.connect();
    connected.catch(() => undefined);
    old.disconnect().catch(() => undefined);
  };
  let queue: Pending[] = [];
  let scheduled = false;
  // One request in flight at a time keeps records in order per partition. What arrives while it
  // is in flight waits and leaves as the next batch, so batches grow with the broker's latency
  // instead of tiny batches queueing up behind each other.
  let sending: Promise<void> | undefined;

  /** Takes whole sends off the queue, up to `maxBatch` records (at least one send). */
  const take = (): Pending[] => {
    let records = 0;
    let i = 0;
    while (i < queue.length && (i === 0 || records + queue[i]!.records.length <= maxBatch)) {
      records += queue[i]!.records.length;
      i++;
    }
    const batch = queue.slice(0, i);
    queue = queue.slice(i);
    return batch;
  };

  const pump = (): void => {
    scheduled = false;
    if (sending || gapTimer || queue.length === 0) return;
    const now = performance.now();
    const wait = flushing ? 0 : lastStart + minInterval - now;
    if (wait >= 1) {
      gapTimer = setTimeout(() => {
        gapTimer = undefined;
        pump();
      }, wait);
      return;
    }
    lastStart = now;
    const batch = take();
    sending = sendBatch(batch).finally(() => {
      sending = undefined;
      pump();
    });
  };

  const sendBatch = async (batch: Pending[]): Promise<void> => {
    try {
      const topicMessages = toTopicMessages(batch);
      inFlight = { batch, messages: topicMessages.flatMap((t) => t.messages) };
      if (connected) await connected;
      await untraced(() => producer.sendBatch({ acks: -1, topicMessages }));
      inFlight = undefined;
      for (const p of batch) {
        p.cleanup?.();
        endSpans(p.spans);
        p.resolve();
      }
    } catch (e) {
      inFlight = undefined;
      // What was queued behind a failed request fails with it: sent later, it would overtake the
      // failed records (a stage replays from its last acknowledged offset, in order).
      const behind = queue;
      queue = [];
      replace();
      for (const p of [...batch, ...behind]) {
        p.cleanup?.();
        endSpans(p.spans, e);
        p.reject(e);
      }
    }
  };

  const abandon = () => {
    if (inFlight) for (const m of inFlight.messages) abandoned.add(m);
  };

  /** The caller gave up on `p`: drop it if still queued, else abandon its request. */
  const giveUp = (p: Pending, reason: unknown) => {
    const i = queue.indexOf(p);
    if (i >= 0) {
      queue.splice(i, 1);
      p.cleanup?.();
      endSpans(p.spans, reason);
      p.reject(reason);
    } else if (inFlight?.batch.includes(p)) {
      abandon();
    }
  };

  return {
    connect() {
      connected = producer.connect();
      return connected;
    },
    send(records, sendOpts = {}) {
      if (records.length === 0) return Promise.resolve();
      const { signal } = sendOpts;
      if (signal?.aborted) return Promise.reject(signal.reason);
      const { spans, headers } = startPublishSpans(records, context.active());
      return new Promise<void>((resolve, reject) => {
        const p: Pending = { records, headers, spans, resolve, reject };
        if (signal) {
          const onAbort = () => giveUp(p, signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
          p.cleanup = () => signal.removeEventListener('abort', onAbort);
        }
        queue.push(p);
        // Wait one turn so sends made in the same turn share a request; a request in flight
        // makes everything wait for it anyway (pump runs again when it completes).
        if (!scheduled && !sending && !gapTimer) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    async disconnect() {
      flushing = true;
      if (gapTimer) {
        clearTimeout(gapTimer);
        gapTimer = undefined;
      }
      pump();
      while (sending) await sending;
      flushing = false;
      await producer.disconnect();
      connected = undefined;
    },
  };
}

function toTopicMessages(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const p of batch) {
    for (let i = 0; i < p.records.length; i++) {
      const r = p.records[i]!;
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push({ key: r.key, value: r.value, headers: p.headers[i] });
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
