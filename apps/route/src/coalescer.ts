import type { OutRecord } from '@threadcast/kafka';

/** The clock the coalescer waits on; tests pass a manual one. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface CoalescerOptions<P> {
  windowMs: number;
  /** Dirty keys that trigger a flush before the window ends: the memory bound. */
  maxPending: number;
  /** The record for a key at flush time, from its latest mark; undefined sends nothing. */
  build(key: string, pending: P): OutRecord | undefined;
  send(records: OutRecord[]): Promise<void>;
  /** After each flush: how many records went out, how many keys failed (and will be retried). */
  onFlush?(sent: number, failed: number, error?: unknown): void;
  timers?: Timers;
}

export interface Coalescer<P> {
  /** Notes that `key` changed; the latest mark of a key in a window wins. */
  mark(key: string, pending: P): void;
  /** Sends everything marked so far; resolves when sent (or failed and requeued). Never rejects. */
  flush(): Promise<void>;
  /** Final flush; no more timers. */
  close(): Promise<void>;
  /** Keys waiting for the next flush. */
  size(): number;
}

/**
 * Turns many marks per key into one record per key per window. The window starts at the first
 * mark after a flush. One flush runs at a time; a failed flush puts its keys back (unless marked
 * again meanwhile) for the next window, so a broker hiccup delays updates rather than losing them.
 *
 * Memory: reaching `maxPending` dirty keys flushes at once. While a flush is in flight the set can
 * grow past the bound only by what the stage handles in that time, and the stage cannot run far
 * ahead: its outputs go through the same producer, queued behind this flush.
 */
export function createCoalescer<P>(opts: CoalescerOptions<P>): Coalescer<P> {
  const timers = opts.timers ?? realTimers;
  let dirty = new Map<string, P>();
  let timer: unknown;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const cancelTimer = () => {
    if (timer === undefined) return;
    timers.clear(timer);
    timer = undefined;
  };
  const arm = () => {
    if (timer !== undefined || closed) return;
    timer = timers.set(() => {
      timer = undefined;
      void flush();
    }, opts.windowMs);
  };

  const sendBatch = async (batch: Map<string, P>) => {
    const records: OutRecord[] = [];
    try {
      for (const [key, pending] of batch) {
        const r = opts.build(key, pending);
        if (r !== undefined) records.push(r);
      }
      if (records.length === 0) return;
      await opts.send(records);
      opts.onFlush?.(records.length, 0);
    } catch (e) {
      let requeued = 0;
      for (const [key, pending] of batch) {
        if (!dirty.has(key) && dirty.size < opts.maxPending) {
          dirty.set(key, pending);
          requeued++;
        }
      }
      opts.onFlush?.(0, requeued, e);
    }
  };

  const flush = (): Promise<void> => {
    cancelTimer();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          if (dirty.size === 0) break;
          const batch = dirty;
          dirty = new Map();
          await sendBatch(batch);
        } while (again);
      } finally {
        running = undefined;
        if (dirty.size > 0) arm();
      }
    })();
    return running;
  };

  return {
    mark(key, pending) {
      dirty.set(key, pending);
      if (dirty.size >= opts.maxPending) void flush();
      else arm();
    },
    flush,
    async close() {
      closed = true;
      cancelTimer();
      await flush();
      // A flush that was already running when close began may have left work behind.
      if (dirty.size > 0) await flush();
    },
    size: () => dirty.size,
  };
}
