import { createHistogram } from './histogram';
import { hopLatency, hopLatencyTable, hopLatencyWarnings } from './hop-latency';
import { parsePromText } from './prom-text';

/** A gateway's series over a window, as the metrics window hands them over (increases). */
function gatewaySeries(hops: Record<string, [number, number][]>, e2e: [number, number][]): string {
  const lines: string[] = [];
  const hist = (name: string, labels: string, buckets: [number, number][]) => {
    let sum = 0;
    let count = 0;
    for (const [le, n] of buckets) {
      count = n;
      lines.push(`${name}_bucket{le="${le === Infinity ? '+Inf' : le}"${labels}} ${n}`);
    }
    // Every observation at its bucket's bound, for a known mean.
    let prev = 0;
    for (const [le, n] of buckets) {
      if (le !== Infinity) sum += (n - prev) * le;
      prev = n;
    }
    lines.push(`${name}_sum{${labels.slice(1)}} ${sum}`, `${name}_count{${labels.slice(1)}} ${count}`);
  };
  for (const [hop, buckets] of Object.entries(hops)) {
    hist('threadcast_hop_latency_seconds', `,hop="${hop}",service="gateway"`, buckets);
  }
  hist('threadcast_e2e_latency_seconds', ',service="gateway"', e2e);
  return lines.join('\n');
}

describe('hop latency over a window', () => {
  it('interpolates each hop in its buckets, and has the socket hop from the means', () => {
    const gateway = parsePromText(
      gatewaySeries(
        {
          ingest: [
            [0.002, 0],
            [0.003, 100],
            [Infinity, 100],
          ],
          gateway: [
            [0.001, 50],
            [0.01, 99],
            [5, 100],
            [Infinity, 100],
          ],
        },
        [
          [0.005, 100],
          [Infinity, 100],
        ],
      ),
    );
    const e2e = createHistogram();
    for (let i = 0; i < 200; i++) e2e.record(7000); // 7 ms, twice per event (two sockets each)
    const h = hopLatency(gateway, e2e);
    expect(h.hops.ingest).toEqual({ p50: 2.5, p99: 3, mean: 3, samples: 100 });
    expect(h.hops.gateway).toEqual({ p50: 1, p99: 10, mean: 55.4, samples: 100 });
    expect(h.hops.enrich).toEqual({ p50: null, p99: null, mean: null, samples: 0 });
    expect(h.gatewayE2e.mean).toBe(5);
    expect(h.e2e).toMatchObject({ p50: 7, p99: 7, samples: 200 });
    // written -> receipt: the receivers' 7 ms minus the gateway's accept -> written 5 ms.
    expect(h.socketMean).toBeCloseTo(2, 0);
    const table = hopLatencyTable(h);
    expect(table.rows.map((r) => String(r[0]).split(':')[0])).toEqual([
      'ingest',
      'enrich',
      'route',
      'gateway',
      'socket',
      "accept -> written (gateway's e2e histogram, coarse buckets)",
      'accept -> receipt (e2e, the receivers)',
    ]);
    expect(hopLatencyWarnings(h)).toEqual([
      'hop latency: only ingest, gateway measured: the deliveries records carry no tc-hops (upstream record timestamps) for the others',
    ]);
  });

  it('marks a p99 beyond the last bucket as a lower limit, and has nothing without the gateway', () => {
    const gateway = parsePromText(
      gatewaySeries(
        {
          ingest: [
            [5, 1],
            [Infinity, 100],
          ],
          enrich: [
            [5, 100],
            [Infinity, 100],
          ],
          route: [
            [5, 100],
            [Infinity, 100],
          ],
          gateway: [
            [5, 100],
            [Infinity, 100],
          ],
        },
        [[Infinity, 0]],
      ),
    );
    const h = hopLatency(gateway, createHistogram());
    expect(h.hops.ingest).toMatchObject({ p99: 5000, p99Beyond: true });
    expect(hopLatencyTable(h).rows[0]![2]).toBe('> 5000');
    expect(hopLatencyWarnings(h)).toEqual([]);
    const none = hopLatency(undefined, createHistogram());
    expect(none.socketMean).toBeNull();
    expect(hopLatencyWarnings(none)).toEqual([]);
  });
});
