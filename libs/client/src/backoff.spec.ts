import { DEFAULT_BACKOFF, backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const opts = { initialMs: 100, maxMs: 1_000 };

  it('doubles the ceiling with each attempt up to maxMs', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, opts, top))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('draws the delay anywhere under the ceiling (full jitter)', () => {
    expect(backoffDelay(2, opts, () => 0)).toBe(0);
    expect(backoffDelay(2, opts, () => 0.5)).toBe(200);
    expect(backoffDelay(2, opts, () => 0.25)).toBe(100);
  });

  it('stays finite for any attempt count', () => {
    expect(backoffDelay(5_000, opts, () => 0.5)).toBe(500);
  });

  it('defaults to 250 ms doubling up to 10 s', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 250, maxMs: 10_000 });
  });
});
