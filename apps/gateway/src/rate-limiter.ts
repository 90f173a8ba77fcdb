/**
 * Inbound frame rate per socket: a token bucket of `burst` frames refilled at `perSecond`. One
 * object per socket, two numbers updated per frame; no timers.
 */
export interface RateLimiter {
  /** True when a frame arriving at `now` (ms) may be handled. */
  take(now: number): boolean;
}

export function createRateLimiter(perSecond: number, burst: number, now: number): RateLimiter {
  let tokens = burst;
  let last = now;
  return {
    take(t) {
      tokens = Math.min(burst, tokens + ((t - last) * perSecond) / 1000);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
