import { createHistogram, latencySummary } from './histogram';

describe('histogram', () => {
  it('is exact below 128 µs and within 1.6 % above', () => {
    const h = createHistogram();
    for (let v = 0; v < 128; v++) h.record(v);
    expect(h.quantile(0.5)).toBe(63);
    for (const v of [1000, 12_345, 999_999, 5_000_000, 2 ** 31 + 5]) {
      const one = createHistogram();
      one.record(v);
      // The max is exact; a quantile reads the top of its bucket, capped at the max.
      expect(one.max).toBe(v);
      const big = createHistogram();
      big.record(v);
      big.record(v * 10);
      const q = big.quantile(0.5);
      expect(q).toBeGreaterThanOrEqual(Math.min(v, 2 ** 31 - 1));
      expect(q).toBeLessThanOrEqual(Math.max(v * 1.016, 2 ** 31 * 1.016));
    }
  });

  it('finds percentiles of a known distribution', () => {
    const h = createHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i * 10); // 10 µs .. 100 ms, uniform
    expect(h.count).toBe(10_000);
    expect(h.quantile(0.5) / 50_000).toBeCloseTo(1, 1);
    expect(h.quantile(0.99) / 99_000).toBeCloseTo(1, 1);
    expect(h.quantile(1)).toBe(100_000);
    const s = latencySummary(h);
    expect(s.max).toBe(100);
    expect(s.p50).toBeGreaterThanOrEqual(50);
    expect(s.p50).toBeLessThan(51);
  });

  it('merges across processes through its plain form', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 0; i < 100; i++) a.record(1000);
    for (let i = 0; i < 100; i++) b.record(3000);
    const merged = createHistogram(a.toData());
    merged.merge(JSON.parse(JSON.stringify(b.toData())));
    expect(merged.count).toBe(200);
    expect(merged.max).toBe(3000);
    expect(merged.quantile(0.25)).toBeLessThanOrEqual(1016);
    expect(merged.quantile(0.75)).toBeGreaterThanOrEqual(3000);
  });

  it('counts negative clock noise as zero and is empty-safe', () => {
    const h = createHistogram();
    expect(h.quantile(0.99)).toBe(0);
    expect(h.mean()).toBe(0);
    h.record(-5);
    expect(h.quantile(1)).toBe(0);
  });
});
