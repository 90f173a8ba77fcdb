import { bucketQuantile } from './bucket-quantile';

const buckets = (pairs: [number, number][]) => pairs.map(([le, count]) => ({ le, count }));

describe('bucketQuantile', () => {
  it('interpolates inside the bucket holding the rank, as histogram_quantile does', () => {
    // 10 observations <= 1, 90 more in (1, 2], none beyond.
    const b = buckets([
      [1, 10],
      [2, 100],
      [5, 100],
      [Infinity, 100],
    ]);
    expect(bucketQuantile(b, 0.05)).toEqual({ value: 0.5, beyond: false });
    expect(bucketQuantile(b, 0.5)!.value).toBeCloseTo(1 + 40 / 90);
    expect(bucketQuantile(b, 0.99)!.value).toBeCloseTo(1 + 89 / 90);
    expect(bucketQuantile(b, 1)).toEqual({ value: 2, beyond: false });
  });

  it('skips empty buckets below the rank, and takes the buckets in any order', () => {
    const b = buckets([
      [Infinity, 4],
      [10, 4],
      [3, 0],
      [1, 0],
    ]);
    expect(bucketQuantile(b, 0.5)).toEqual({ value: 3 + 7 / 2, beyond: false });
  });

  it('says when the rank lies beyond the last finite bound, and has nothing to say about nothing', () => {
    const b = buckets([
      [1, 90],
      [5, 98],
      [Infinity, 100],
    ]);
    expect(bucketQuantile(b, 0.99)).toEqual({ value: 5, beyond: true });
    expect(
      bucketQuantile(
        buckets([
          [1, 0],
          [Infinity, 0],
        ]),
        0.5,
      ),
    ).toBeUndefined();
    expect(bucketQuantile([], 0.5)).toBeUndefined();
  });
});
