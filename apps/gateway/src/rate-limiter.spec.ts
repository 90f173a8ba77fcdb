import { createRateLimiter } from './rate-limiter';

describe('rate limiter', () => {
  it('allows a burst, then the refill rate', () => {
    const limiter = createRateLimiter(10, 5, 0);
    const allowed = (t: number, n: number) =>
      Array.from({ length: n }, () => limiter.take(t)).filter(Boolean).length;
    expect(allowed(0, 8)).toBe(5);
    expect(allowed(100, 3)).toBe(1); // 100 ms at 10/s refills one
    expect(allowed(1100, 20)).toBe(5); // a long pause refills only up to the burst
  });
});
