import type { OutRecord } from '@threadcast/kafka';
import type { Gauge, Histogram } from 'prom-client';
import { kafkaUnavailable } from './http-error';

/**
 * What ingest needs of a producer: `send` resolves once Kafka acknowledged every record; with
 * `signal` aborted it drops the records it has not sent, and never sends them again (see
 * libs/kafka's keyed producer).
 */
export interface RecordSender {
  send(records: OutRecord[], opts?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * Longest wait between two attempts of one Kafka request (the keyed producer's maxRetryTimeMs
 * in main.ts): a request given up stops within about this long.
 */
export const PRODUCER_MAX_RETRY_MS = 1000;
/** After a write timed out, how long to wait for its request to settle before answering 503. */
const SETTLE_GRACE_MS = 2 * PRODUCER_MAX_RETRY_MS;
/** A failed produce keeps the pod not ready this long, unless a produce succeeds meanwhile. */
export const FAILING_FOR_MS = 10_000;

export interface ProduceQueue {
  /**
   * Produces, resolving once Kafka acknowledged. Rejects with 503 kafka_unavailable when Kafka
   * refused, did not acknowledge within `timeoutMs` (the records are then dropped: they are not
   * written later), or when the records would take the bytes waiting for Kafka past `maxBytes`
   * (at once, without producing).
   */
  send(records: OutRecord[]): Promise<void>;
  /** Bytes of records handed to the producer and not yet acknowledged, refused or dropped. */
  readonly queuedBytes: number;
  /** True while the last produce failed (less than FAILING_FOR_MS ago) and none succeeded since. */
  isFailing(): boolean;
}

export function createProduceQueue(
  producer: RecordSender,
  opts: {
    maxBytes: number;
    timeoutMs: number;
    produceSeconds?: Histogram<'outcome'>;
    queueBytes?: Gauge;
    now?: () => number;
  },
): ProduceQueue {
  const now = opts.now ?? Date.now;
  let queuedBytes = 0;
  let lastFailure = -Infinity;
  let lastSuccess = -Infinity;
  const setQueued = (delta: number) => {
    queuedBytes += delta;
    opts.queueBytes?.set(queuedBytes);
  };

  const send = async (records: OutRecord[]): Promise<void> => {
    const stop = opts.produceSeconds?.startTimer();
    const bytes = recordBytes(records);
    if (queuedBytes + bytes > opts.maxBytes) {
      lastFailure = now();
      stop?.({ outcome: 'queue_full' });
      throw kafkaUnavailable(
        `Kafka is not keeping up: more than ${opts.maxBytes} bytes wait for its acknowledgement`,
        1,
      );
    }
    setQueued(bytes);
    const abort = new AbortController();
    // Settles once the producer is done with the records: acknowledged, refused or dropped.
    const settled = producer.send(records, { signal: abort.signal }).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    void settled.then(() => setQueued(-bytes));
    let outcome = await within(settled, opts.timeoutMs);
    if (outcome === undefined) {
      // Too late: drop the records. Queued ones go at once; a request under way is abandoned at
      // its next attempt, unless that attempt succeeds (then they are written, and we say so).
      abort.abort(new Error(`not acknowledged within ${opts.timeoutMs} ms`));
      outcome = await within(settled, SETTLE_GRACE_MS);
    }
    if (outcome?.ok) {
      lastSuccess = now();
      stop?.({ outcome: 'ok' });
      return;
    }
    lastFailure = now();
    if (outcome === undefined || abort.signal.aborted) {
      stop?.({ outcome: 'timeout' });
      throw kafkaUnavailable(`Kafka did not acknowledge the write within ${opts.timeoutMs} ms`, 1);
    }
    stop?.({ outcome: 'error' });
    throw kafkaUnavailable('Kafka refused or failed the write', 1, outcome.error);
  };

  return {
    send,
    get queuedBytes() {
      return queuedBytes;
    },
    isFailing: () => lastFailure > lastSuccess && now() - lastFailure < FAILING_FOR_MS,
  };
}

/** The promise's value if it settles within `ms`, else undefined. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the records weigh in the producer: keys, values and headers. */
export function recordBytes(records: readonly OutRecord[]): number {
  let n = 0;
  for (const r of records) {
    n += byteLength(r.key) + byteLength(r.value);
    for (const [k, v] of Object.entries(r.headers ?? {})) n += byteLength(k) + byteLength(v);
  }
  return n;
}

function byteLength(v: string | Buffer | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}
