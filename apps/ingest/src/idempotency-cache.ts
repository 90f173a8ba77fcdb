import { HttpError } from './http-error';

/**
 * Remembers, per pod, the answer to each write sent with an Idempotency-Key, so a retry that
 * lands on the same pod is answered without producing again. Bounded: least recently used
 * entries go first, and entries expire after `ttlMs`. Retries reaching another pod (or this one
 * after a restart) produce again with the same derived ids; downstream drops them by eventId.
 */
export interface IdempotencyCache<A> {
  /**
   * Runs `produce` once per (scope, key) and fingerprint; a concurrent or later call with the
   * same key and fingerprint gets the same answer, one with another fingerprint gets a 422.
   * Failures are not remembered, so the client's retry tries again.
   */
  run(cacheKey: string, fingerprint: string, produce: () => Promise<A>): Promise<A>;
  readonly size: number;
}

interface Entry<A> {
  fingerprint: string;
  expiresAt: number;
  answer: Promise<A>;
}

export function createIdempotencyCache<A>(opts: {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}): IdempotencyCache<A> {
  const now = opts.now ?? Date.now;
  // A Map iterates in insertion order; re-inserting on use makes its first entry the least recent.
  const entries = new Map<string, Entry<A>>();

  const evict = () => {
    while (entries.size > opts.maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) return;
      entries.delete(oldest.value);
    }
  };

  return {
    get size() {
      return entries.size;
    },
    run(cacheKey, fingerprint, produce) {
      if (opts.maxEntries === 0) return produce();
      const t = now();
      const hit = entries.get(cacheKey);
      if (hit && hit.expiresAt > t) {
        if (hit.fingerprint !== fingerprint) {
          return Promise.reject(
            new HttpError(
              422,
              'idempotency_key_reused',
              'this Idempotency-Key was used for a different request',
              {
                field: 'Idempotency-Key',
              },
            ),
          );
        }
        entries.delete(cacheKey);
        entries.set(cacheKey, hit);
        return hit.answer;
      }
      const entry: Entry<A> = { fingerprint, expiresAt: t + opts.ttlMs, answer: attempt(produce) };
      entries.delete(cacheKey);
      entries.set(cacheKey, entry);
      evict();
      entry.answer.catch(() => {
        if (entries.get(cacheKey) === entry) entries.delete(cacheKey);
      });
      return entry.answer;
    },
  };
}

function attempt<A>(fn: () => Promise<A>): Promise<A> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}
