import { Histogram, Registry } from 'prom-client';
import { hopObserver, parseMillis } from './hop-latency';

function observed() {
  const registry = new Registry();
  const histogram = new Histogram({
    name: 'hops_test_seconds',
    help: 'test',
    labelNames: ['hop'],
    buckets: [0.001, 0.01, 0.1],
    registers: [registry],
  });
  const observe = hopObserver(histogram);
  const read = async () => {
    const out: Record<string, { count: number; ms: number; le10ms: number }> = {};
    for (const v of (await histogram.get()).values) {
      const hop = v.labels.hop as string;
      const h = (out[hop] ??= { count: 0, ms: 0, le10ms: 0 });
      if (v.metricName === 'hops_test_seconds_count') h.count = v.value;
      if (v.metricName === 'hops_test_seconds_sum') h.ms = Math.round(v.value * 1e6) / 1e3;
      if (v.metricName === 'hops_test_seconds_bucket' && (v.labels as { le?: number }).le === 0.01)
        h.le10ms = v.value;
    }
    return out;
  };
  return { observe, read };
}

describe('hop latency', () => {
  it('reads the last two tc-hops entries as the comments and comments.enriched timestamps', async () => {
    const { observe, read } = observed();
    // An earlier life (a record re-driven from the DLQ) comes first and is no hop of this delivery.
    observe(1_000, '500,1_5,1003,1010', 1030, 1100);
    observe(2_000, '2002,2004', 2050, 2060);
    expect(await read()).toEqual({
      ingest: { count: 2, ms: 5, le10ms: 2 },
      enrich: { count: 2, ms: 9, le10ms: 2 },
      route: { count: 2, ms: 66, le10ms: 0 },
      gateway: { count: 2, ms: 80, le10ms: 1 },
    });
  });

  it('with one entry knows only the comments.enriched timestamp', async () => {
    const { observe, read } = observed();
    observe(1_000, '1010', 1030, 1040);
    expect(await read()).toEqual({
      ingest: { count: 0, ms: 0, le10ms: 0 },
      enrich: { count: 0, ms: 0, le10ms: 0 },
      route: { count: 1, ms: 20, le10ms: 0 },
      gateway: { count: 1, ms: 10, le10ms: 1 },
    });
  });

  it('skips the hops next to a missing or unreadable timestamp, and counts a clock step back as 0', async () => {
    const { observe, read } = observed();
    observe(NaN, undefined, NaN, 1040);
    observe(0, '', 0, 1040);
    // comments.enriched's entry unreadable: ingest is known, enrich and route are not.
    observe(1_000, '1003, 1004', 1010, 1040);
    // comments' entry too long to be epoch ms; comments.enriched -> deliveries went backwards
    // (another host's clock): observed as 0, not as a negative time.
    observe(1_000, '99999999999999999999,1020', 1010, 1040);
    expect(await read()).toEqual({
      ingest: { count: 1, ms: 3, le10ms: 1 },
      enrich: { count: 0, ms: 0, le10ms: 0 },
      route: { count: 1, ms: 0, le10ms: 1 },
      gateway: { count: 2, ms: 60, le10ms: 0 },
    });
  });

  it('parses only plain decimal digits', () => {
    expect(parseMillis('x1764912345678,', 1, 14)).toBe(1764912345678);
    expect(parseMillis('12,34', 3, 5)).toBe(34);
    for (const [s, a, b] of [
      ['', 0, 0],
      ['1e3', 0, 3],
      ['-12', 0, 3],
      [' 12', 0, 3],
      ['12.5', 0, 4],
    ] as const) {
      expect(parseMillis(s, a, b)).toBeNaN();
    }
  });
});
