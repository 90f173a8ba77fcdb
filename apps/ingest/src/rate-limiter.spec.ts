import { createRateLimiter } from './rate-limiter';

describe('rate limiter', () => {
  const setup = (opts: { rate?: number; burst?: number; maxKeys?: number } = {}) => {
    const t = { now: 0 };
    const limiter = createRateLimiter({
      ratePerSecond: opts.rate ?? 2,
      burst: opts.burst ?? 3,
      maxKeys: opts.maxKeys ?? 100,
      now: () => t.now,
    });
    return { t, limiter };
  };

  it('allows the burst, then asks to wait, then refills at the rate', () => {
    const { t, limiter } = setup();
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    t.now = 500;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
  });

  it('answers whole seconds to wait, at least 1', () => {
    const { limiter } = setup({ rate: 0.2, burst: 1 });
    limiter.take('a');
    expect(limiter.take('a')).toBe(5);
  });

  it('is off with rate 0', () => {
    const { limiter } = setup({ rate: 0, burst: 1 });
    for (let i = 0; i < 100; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.size).toBe(0);
  });

  it('drops buckets that refilled while idle', () => {
    const { t, limiter } = setup({ rate: 10, burst: 10 });
    limiter.take('a');
    limiter.take('b');
    t.now = 1000;
    limiter.take('c');
    expect(limiter.size).toBe(1);
  });

  it('keeps at most maxKeys buckets', () => {
    const { limiter } = setup({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
    expect(limiter.size).toBe(100);
  });
});
