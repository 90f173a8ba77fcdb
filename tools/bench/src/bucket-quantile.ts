/**
 * A quantile from a Prometheus histogram's cumulative buckets, the way `histogram_quantile`
 * computes it: linear interpolation inside the bucket holding the rank, from the bucket below's
 * bound (0 for the first). A rank in the +Inf bucket can only be said to lie beyond the last
 * finite bound.
 */

export interface Bucket {
  /** Upper bound (`le`), Infinity for +Inf. */
  le: number;
  /** Cumulative count of observations <= le. */
  count: number;
}

export interface BucketQuantile {
  value: number;
  /** The rank fell in the +Inf bucket: `value` is the last finite bound, a lower limit. */
  beyond: boolean;
}

/** undefined when there are no observations. */
export function bucketQuantile(buckets: Bucket[], q: number): BucketQuantile | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank && b.count > prevCount) {
      if (b.le === Infinity) return { value: prevLe, beyond: true };
      const within = (rank - prevCount) / (b.count - prevCount);
      return { value: prevLe + (b.le - prevLe) * Math.max(0, within), beyond: false };
    }
    prevLe = b.le === Infinity ? prevLe : b.le;
    prevCount = b.count;
  }
  return { value: prevLe, beyond: true };
}
