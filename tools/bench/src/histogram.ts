/**
 * A latency histogram in microseconds, HDR style: exact below 128 µs, then 64 buckets per power
 * of two (at most 1.6 % above the true value). Fixed size, cheap to record, and mergeable, so
 * each load generator keeps its own and the runner adds them up.
 */
const SUB = 64;
const LINEAR = 2 * SUB; // values below this are their own bucket
const MAX_EXP = 31;
const BUCKETS = LINEAR + (MAX_EXP - 7) * SUB;

/** The plain form that crosses process boundaries (IPC) and lands in the JSON report. */
export interface HistogramData {
  counts: number[];
  max: number;
  total: number;
}

export interface Histogram {
  /** Records one value in µs; negative values (clock noise) count as 0. */
  record(micros: number): void;
  merge(other: HistogramData): void;
  readonly count: number;
  readonly max: number;
  /** The value at quantile q (0..1): the top of the bucket holding it, capped at the max seen. */
  quantile(q: number): number;
  mean(): number;
  toData(): HistogramData;
}

function bucketOf(v: number): number {
  if (v < LINEAR) return v;
  // Values past 2^31 µs (36 minutes) share the last buckets; `max` keeps the true maximum.
  const x = v > 0x7fffffff ? 0x7fffffff : v;
  const exp = 31 - Math.clz32(x);
  // x in [2^exp, 2^(exp+1)): 64 sub-buckets of width 2^(exp-6).
  return LINEAR + (exp - 7) * SUB + (x >>> (exp - 6)) - SUB;
}

/** The largest value of bucket i. */
function topOf(i: number): number {
  if (i < LINEAR) return i;
  const exp = 7 + Math.floor((i - LINEAR) / SUB);
  const sub = ((i - LINEAR) % SUB) + SUB;
  return (sub + 1) * 2 ** (exp - 6) - 1;
}

export function createHistogram(from?: HistogramData): Histogram {
  const counts = new Float64Array(BUCKETS);
  let max = 0;
  let total = 0;
  let sum = 0;
  const h: Histogram = {
    record(micros) {
      const v = micros > 0 ? Math.round(micros) : 0;
      counts[bucketOf(v)]!++;
      total++;
      sum += v;
      if (v > max) max = v;
    },
    merge(other) {
      for (let i = 0; i < other.counts.length && i < BUCKETS; i++) {
        const c = other.counts[i]!;
        if (c === 0) continue;
        counts[i]! += c;
        sum += c * Math.min(topOf(i), other.max);
      }
      total += other.total;
      if (other.max > max) max = other.max;
    },
    get count() {
      return total;
    },
    get max() {
      return max;
    },
    quantile(q) {
      if (total === 0) return 0;
      const rank = Math.max(1, Math.ceil(q * total));
      let seen = 0;
      for (let i = 0; i < BUCKETS; i++) {
        seen += counts[i]!;
        if (seen >= rank) return Math.min(topOf(i), max);
      }
      return max;
    },
    mean: () => (total === 0 ? 0 : sum / total),
    toData() {
      // Trailing zeros trimmed: most of the range is empty.
      let last = BUCKETS - 1;
      while (last >= 0 && counts[last] === 0) last--;
      return { counts: Array.from(counts.subarray(0, last + 1)), max, total };
    },
  };
  if (from) h.merge(from);
  return h;
}

/** p50/p90/p99/p99.9/max of a histogram, in milliseconds (3 decimals). */
export function latencySummary(h: Histogram): {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
} {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: h.count,
    p50: ms(h.quantile(0.5)),
    p90: ms(h.quantile(0.9)),
    p99: ms(h.quantile(0.99)),
    p999: ms(h.quantile(0.999)),
    max: ms(h.max),
  };
}
