/**
 * Token buckets per author, in this pod's memory: the limit is per pod, so N pods behind a load
 * balancer admit up to N times the rate for one author. That is enough to stop a runaway client
 * cheaply; a cluster-wide quota would need shared state on the write path.
 */
export interface RateLimiter {
  /** Takes one token for `key`: 0 when allowed, else the seconds to wait before trying again. */
  take(key: string): number;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(opts: {
  /** Tokens per second; 0 turns the limiter off. */
  ratePerSecond: number;
  burst: number;
  /** Buckets kept at most; the least recently used are dropped first. */
  maxKeys: number;
  now?: () => number;
}): RateLimiter {
  const { ratePerSecond, burst, maxKeys } = opts;
  const now = opts.now ?? Date.now;
  const perMs = ratePerSecond / 1000;
  // A bucket idle this long is full again, which is the same as having no bucket at all.
  const refillMs = ratePerSecond > 0 ? Math.ceil(burst / perMs) : 0;
  // Insertion order = recency (a used bucket is re-inserted), so the first entries are the idlest.
  const buckets = new Map<string, Bucket>();

  const prune = (t: number) => {
    // A couple of checks per call keeps the map down to recently active authors without a timer.
    for (let i = 0; i < 2; i++) {
      const first = buckets.entries().next();
      if (first.done) return;
      const [key, b] = first.value;
      if (buckets.size > maxKeys || t - b.at >= refillMs) buckets.delete(key);
      else return;
    }
  };

  return {
    get size() {
      return buckets.size;
    },
    take(key) {
      if (ratePerSecond <= 0) return 0;
      const t = now();
      let b = buckets.get(key);
      if (b) {
        b.tokens = Math.min(burst, b.tokens + (t - b.at) * perMs);
        b.at = t;
        buckets.delete(key);
      } else {
        b = { tokens: burst, at: t };
      }
      buckets.set(key, b);
      prune(t);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / ratePerSecond));
    },
  };
}
