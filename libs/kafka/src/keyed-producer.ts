import { context, type Span } from '@opentelemetry/api';
import type { Kafka, Message, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';
import { partitionForKey } from './murmur2';
import { produceErrorKind, produceErrorType } from './produce-errors';
import type { OutRecord } from './records';
import { endSpans, startPublishSpans, untraced } from './record-tracing';
import { REQUEST_OVERHEAD_BYTES, recordBytes, topicBytes } from './request-bytes';

export interface KeyedProducer {
  connect(): Promise<void>;
  /**
   * Resolves once the broker acknowledged every record (acks=all). Calls made in the same
   * event-loop turn, or while a request is in flight, share one `sendBatch` (up to
   * `maxBatchRecords` and `maxRequestBytes`; a larger send leaves in several), so a busy ingest
   * sends few, large requests. Sends are acknowledged in the order they were made; when a
   * request fails, it and everything queued behind it reject.
   *
   * A record that can never be written (alone over `maxRequestBytes`, or refused by the broker
   * for what it is: see produce-errors.ts) fails neither the others nor what is behind it: once
   * every other record of the send is acknowledged, the send rejects with a RecordsRefusedError
   * naming the refused ones. The records are not modified.
   *
   * `signal` lets the caller give up: a send still queued is dropped and rejects at once with the
   * signal's reason; a send already in a request makes that request be abandoned at its next
   * retry (its records are never sent again), and it rejects when that happens (or resolves, if
   * the attempt under way succeeds). Either way a rejected send was not written.
   */
  send(records: readonly OutRecord[], opts?: { signal?: AbortSignal }): Promise<void>;
  /** The byte budget of one request: a record larger than this (estimated) is refused. */
  readonly maxRequestBytes: number;
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

/** A record the producer will never write. */
export interface RefusedRecord {
  /** Its index in the records given to `send`. */
  index: number;
  /** The broker's error type (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_RECORD) or OVER_REQUEST_BUDGET. */
  code: string;
  message: string;
  /** Its size in a produce request (estimated from above). */
  bytes: number;
}

/** What `send` rejects with when some records were refused for good and the others acknowledged. */
export class RecordsRefusedError extends Error {
  readonly retriable = false;
  constructor(readonly refused: readonly RefusedRecord[]) {
    const first = refused[0];
    super(`${refused.length} record(s) refused for good${first ? `: ${first.code}: ${first.message}` : ''}`);
    this.name = 'RecordsRefusedError';
  }
}

interface Pending {
  records: readonly OutRecord[];
  /** Each record's headers with its publish span's trace context. */
  headers: Record<string, string>[];
  spans: Span[];
  bytes: number[];
  /** Indices of the records to send (not over the budget alone), and how many were taken. */
  queued: number[];
  taken: number;
  /** Records neither acknowledged nor refused yet; per record, whether its span ended. */
  open: number;
  ended: boolean[];
  refused: RefusedRecord[];
  settled: boolean;
  resolve: () => void;
  reject: (e: unknown) => void;
  /** Removes the abort listener once the send settles. */
  cleanup?: () => void;
}

/** One record of a request: its send and its index there. */
interface Item {
  p: Pending;
  i: number;
}

/** Ends the retries of a request whose sender gave up; kafkajs does not retry it. */
class AbandonedError extends Error {
  readonly retriable = false;
  constructor() {
    super('keyed producer: request abandoned, its sender gave up; its records are not sent');
    this.name = 'AbandonedError';
  }
}

/**
 * Under the broker's default message.max.bytes (1,048,588) and the table topics' 1 MiB, so that
 * no record batch in a request passes them; a route score state at its 1,000,000-byte limit
 * still fits.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 1_040_000;

/** Idempotent, acks=all producer that batches concurrent sends into one `sendBatch`. */
export function createKeyedProducer(
  kafka: Kafka,
  opts: {
    maxBatchRecords?: number;
    /**
     * No produce request is built larger than this (records' sizes estimated from above), so
     * neither a request nor a partition's record batch in it passes the broker's limits. A
     * record larger than this alone is refused without being sent.
     */
    maxRequestBytes?: number;
    /**
     * The least time between the starts of two requests. A busy producer's records wait for the
     * gap and leave together; one that sends less often than this never waits. Each request costs
     * the broker about the same whatever its size, so this bounds the broker's work per producer.
     */
    minRequestIntervalMs?: number;
    /**
     * Longest wait between two attempts of a request kafkajs retries (default 1000 ms). Each
     * attempt that cannot connect refreshes the metadata, so after a broker loss the records
     * leave within this long of the new leader being known; at 5 s apart the stages' outputs
     * waited up to 5 s more than the leader election.
     */
    maxRetryTimeMs?: number;
    /** Where the producer's own metrics go (records sent again: see notAcknowledged). */
    registry?: Registry;
  } = {},
): KeyedProducer {
  const maxBatch = opts.maxBatchRecords ?? 1000;
  const maxBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const minInterval = opts.minRequestIntervalMs ?? 0;
  const resent = opts.registry ? resentCounter(opts.registry) : undefined;
  let lastStart = -Infinity;
  let gapTimer: NodeJS.Timeout | undefined;
  /** Disconnecting: what is queued leaves at once. */
  let flushing = false;
  /**
   * Messages of a request whose sender gave up. kafkajs retries a request by partitioning its
   * messages again: refusing them there (not retriable) ends the retries, so they are never sent
   * again and the request fails like any other.
   */
  const abandoned = new WeakSet<Message>();
  /** The partition each message of the request in flight went to, at its latest attempt. */
  const partitionOf = new WeakMap<Message, number>();
  const abandoningPartitioner = () => {
    const partition = javaCompatiblePartitioner();
    return (args: Parameters<typeof partition>[0]) => {
      if (abandoned.has(args.message)) throw new AbandonedError();
      const p = partition(args);
      partitionOf.set(args.message, p);
      return p;
    };
  };
  /** The request in flight: its sends and the messages kafkajs holds. */
  let inFlight: { sends: Set<Pending>; messages: Message[] } | undefined;
  const make = (): Producer =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // The idempotent producer must not give up on its own (kafkajs warns otherwise); callers
      // bound the wait instead (ingest answers 503 after a timeout and aborts the send, stages
      // retry with backoff).
      retry: {
        retries: Number.MAX_SAFE_INTEGER,
        initialRetryTime: Math.min(100, opts.maxRetryTimeMs ?? 100),
        maxRetryTime: opts.maxRetryTimeMs ?? 1000,
      },
      allowAutoTopicCreation: false,
      createPartitioner: abandoningPartitioner,
    });
  let producer = make();
  /** The current producer's connect; a send waits for it. */
  let connected: Promise<void> | undefined;
  /**
   * After a failed request kafkajs' idempotent producer keeps the sequence numbers it gave the
   * lost records, and the broker answers every later request with OUT_OF_ORDER_SEQUENCE_NUMBER.
   * Java's producer bumps its epoch; here the producer is replaced: a new producer id, sequences
   * from zero. What failed is sent again by its caller (a stage reads it again, ingest answers 503);
   * what was refused, split, by the producer itself.
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

  /**
   * Takes records off the queue, in order, up to `maxBatch` records and `maxBytes` bytes (at
   * least one record); a send may leave in several requests.
   */
  const take = (): Item[] => {
    const items: Item[] = [];
    const topics = new Set<string>();
    let bytes = REQUEST_OVERHEAD_BYTES;
    while (queue.length > 0) {
      const p = queue[0]!;
      while (p.taken < p.queued.length) {
        const i = p.queued[p.taken]!;
        const topic = p.records[i]!.topic;
        const more = p.bytes[i]! + (topics.has(topic) ? 0 : topicBytes(topic));
        if (items.length > 0 && (items.length >= maxBatch || bytes + more > maxBytes)) return items;
        items.push({ p, i });
        topics.add(topic);
        bytes += more;
        p.taken++;
      }
      queue.shift();
    }
    return items;
  };

  const settle = (p: Pending): void => {
    if (p.settled || p.open > 0) return;
    p.settled = true;
    p.cleanup?.();
    if (p.refused.length === 0) p.resolve();
    else p.reject(new RecordsRefusedError([...p.refused].sort((a, b) => a.index - b.index)));
  };
  const endSpan = (p: Pending, i: number, error?: unknown): void => {
    if (p.ended[i]) return;
    p.ended[i] = true;
    endSpans([p.spans[i]!], error);
  };
  const refuse = (p: Pending, i: number, code: string, message: string): void => {
    endSpan(p, i, new Error(`${code}: ${message}`));
    p.refused.push({ index: i, code, message, bytes: p.bytes[i]! });
    p.open--;
    settle(p);
  };
  const fail = (p: Pending, e: unknown): void => {
    if (p.settled) return;
    p.settled = true;
    p.cleanup?.();
    for (let i = 0; i < p.records.length; i++) endSpan(p, i, e);
    p.reject(e);
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
    const items = take();
    sending = sendBatch(items).finally(() => {
      sending = undefined;
      pump();
    });
  };

  /**
   * Sends the records; a refusal of what they are splits them in two halves sent one after the
   * other (order kept), down to the one record refused. The broker wrote the other partitions of
   * a refused request already, so those records are written twice (same event ids).
   */
  const sendItems = async (items: Item[]): Promise<void> => {
    let unwritten: Item[] = [];
    try {
      if (connected) await connected;
      const { topicMessages, messages } = toTopicMessages(items);
      inFlight = { sends: new Set(items.map((it) => it.p)), messages };
      const written = await untraced(() => producer.sendBatch({ acks: -1, topicMessages }));
      inFlight = undefined;
      unwritten = notAcknowledged(items, messages, written, partitionOf);
    } catch (e) {
      inFlight = undefined;
      replace();
      if (produceErrorKind(e) !== 'record') throw e;
      if (items.length === 1) {
        const { p, i } = items[0]!;
        return refuse(p, i, produceErrorType(e)!, e instanceof Error ? e.message : String(e));
      }
      const half = Math.ceil(items.length / 2);
      await sendItems(items.slice(0, half));
      return sendItems(items.slice(half));
    }
    // Nothing else leaves meanwhile, so these still go before anything later of their partitions.
    if (unwritten.length > 0) {
      resent?.inc(unwritten.length);
      await sendItems(unwritten);
    }
    const sentAgain = new Set(unwritten);
    for (const it of items) {
      if (sentAgain.has(it)) continue;
      endSpan(it.p, it.i);
      it.p.open--;
      settle(it.p);
    }
  };

  const sendBatch = async (items: Item[]): Promise<void> => {
    try {
      await sendItems(items);
    } catch (e) {
      // What was queued behind a failed request fails with it: sent later, it would overtake the
      // failed records (a stage replays from its last acknowledged offset, in order).
      const behind = queue;
      queue = [];
      for (const p of new Set([...items.map((it) => it.p), ...behind])) fail(p, e);
    }
  };

  /** The caller gave up on `p`: drop it if none of it left yet, else abandon its request. */
  const giveUp = (p: Pending, reason: unknown) => {
    if (p.settled) return;
    const i = queue.indexOf(p);
    if (i >= 0 && p.taken === 0) {
      queue.splice(i, 1);
      fail(p, reason);
    } else if (inFlight?.sends.has(p)) {
      for (const m of inFlight.messages) abandoned.add(m);
    }
  };

  return {
    maxRequestBytes: maxBytes,
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
        const p: Pending = {
          records,
          headers,
          spans,
          bytes: records.map((r, i) => recordBytes(r.key, r.value, headers[i]!)),
          queued: [],
          taken: 0,
          open: records.length,
          ended: records.map(() => false),
          refused: [],
          settled: false,
          resolve,
          reject,
        };
        for (let i = 0; i < records.length; i++) {
          const alone = REQUEST_OVERHEAD_BYTES + topicBytes(records[i]!.topic) + p.bytes[i]!;
          if (alone <= maxBytes) p.queued.push(i);
          else
            refuse(
              p,
              i,
              'OVER_REQUEST_BUDGET',
              `${alone} bytes alone, over the ${maxBytes}-byte request budget`,
            );
        }
        if (p.queued.length === 0) return;
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

const resentCounters = new WeakMap<Registry, Counter>();
function resentCounter(registry: Registry): Counter {
  let c = resentCounters.get(registry);
  if (!c) {
    c = new Counter({
      name: 'threadcast_kafka_records_resent_total',
      help: "Records a produce request's answer left out (their partition's leader moved while the request was retried), sent again at once.",
      registers: [registry],
    });
    resentCounters.set(registry, c);
  }
  return c;
}

/** The request's messages per topic, and each item's message (same index). */
function toTopicMessages(items: readonly Item[]): { topicMessages: TopicMessages[]; messages: Message[] } {
  const byTopic = new Map<string, Message[]>();
  const messages: Message[] = [];
  for (const { p, i } of items) {
    const r = p.records[i]!;
    let list = byTopic.get(r.topic);
    if (!list) byTopic.set(r.topic, (list = []));
    const m: Message =
      r.partition === undefined
        ? { key: r.key, value: r.value, headers: p.headers[i] }
        : { key: r.key, value: r.value, headers: p.headers[i], partition: r.partition };
    list.push(m);
    messages.push(m);
  }
  return { topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), messages };
}

/**
 * The items of a request whose partition is missing from the broker's answer. kafkajs 2.2.4
 * retries a request by broker and skips a broker that answered an earlier attempt: a partition
 * whose leader moved to such a broker is never sent, and `sendBatch` resolves anyway
 * (tulios/kafkajs#1303, #1798). Its sequence numbers were given back when its first attempt
 * failed, so the same producer can send those records again.
 */
function notAcknowledged(
  items: readonly Item[],
  messages: readonly Message[],
  written: readonly RecordMetadata[],
  partitionOf: WeakMap<Message, number>,
): Item[] {
  // Per topic, its partitions in the answer: a few entries per request, nothing made per record.
  const acknowledged = new Map<string, Set<number>>();
  for (const w of written) {
    let partitions = acknowledged.get(w.topicName);
    if (!partitions) acknowledged.set(w.topicName, (partitions = new Set()));
    partitions.add(w.partition);
  }
  const missing: Item[] = [];
  for (let k = 0; k < items.length; k++) {
    const { p, i } = items[k]!;
    const partition = partitionOf.get(messages[k]!);
    if (partition === undefined || !acknowledged.get(p.records[i]!.topic)?.has(partition)) {
      missing.push(items[k]!);
    }
  }
  return missing;
}
