/**
 * Where a comment's time went, hop by hop, over a measured window: the gateway's
 * `threadcast_hop_latency_seconds{hop}` (per event, from the records' Kafka timestamps) and its
 * `threadcast_e2e_latency_seconds` (accept -> written), as increases between two scrapes, beside
 * the receivers' own accept -> receipt. Quantiles come from the buckets (interpolated, as
 * Prometheus does); means are exact and add up, which is how the last hop, written -> receipt,
 * is had: the receivers' e2e mean minus the gateway's.
 */
import { bucketQuantile, type Bucket } from './bucket-quantile';
import type { Histogram } from './histogram';
import type { Sample } from './prom-text';
import type { Cell, Table } from './table';

export const HOPS = [
  { hop: 'ingest', what: 'accept -> comments record' },
  { hop: 'enrich', what: '-> comments.enriched record' },
  { hop: 'route', what: '-> deliveries record' },
  { hop: 'gateway', what: '-> written to the sockets' },
] as const;

export interface HopFigure {
  p50: number | null;
  p99: number | null;
  /** The quantile lies beyond the last bucket bound: p99 is a lower limit. */
  p99Beyond?: boolean;
  mean: number | null;
  samples: number;
}

export interface HopLatency {
  /** Per hop, ms; null where the window had no observation of it. */
  hops: Record<string, HopFigure>;
  /** The gateway's accept -> written (its e2e histogram), ms. */
  gatewayE2e: HopFigure;
  /** written -> client receipt: the receivers' e2e mean minus the gateway's, ms. */
  socketMean: number | null;
  /** accept -> client receipt, the receivers' own (per delivery), ms. */
  e2e: HopFigure;
}

/** One histogram's buckets, sum and count from a window's deltas, filtered by `match`. */
function histogramFigure(
  samples: Sample[],
  name: string,
  match: (labels: Record<string, string>) => boolean,
): HopFigure {
  const buckets: Bucket[] = [];
  let sum = 0;
  let count = 0;
  for (const s of samples) {
    if (!match(s.labels)) continue;
    if (s.name === `${name}_bucket`)
      buckets.push({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value });
    else if (s.name === `${name}_sum`) sum = s.value;
    else if (s.name === `${name}_count`) count = s.value;
  }
  const ms = (v: number) => Math.round(v * 1e4) / 10;
  const p50 = bucketQuantile(buckets, 0.5);
  const p99 = bucketQuantile(buckets, 0.99);
  return {
    p50: p50 ? ms(p50.value) : null,
    p99: p99 ? ms(p99.value) : null,
    ...(p99?.beyond ? { p99Beyond: true } : {}),
    mean: count > 0 ? ms(sum / count) : null,
    samples: count,
  };
}

export function hopLatency(gateway: Sample[] | undefined, e2e: Histogram): HopLatency {
  const samples = gateway ?? [];
  const hops: Record<string, HopFigure> = {};
  for (const { hop } of HOPS) {
    hops[hop] = histogramFigure(samples, 'threadcast_hop_latency_seconds', (l) => l.hop === hop);
  }
  const gatewayE2e = histogramFigure(samples, 'threadcast_e2e_latency_seconds', () => true);
  const r = (us: number) => Math.round(us / 100) / 10;
  const e2eFigure: HopFigure = {
    p50: e2e.count ? r(e2e.quantile(0.5)) : null,
    p99: e2e.count ? r(e2e.quantile(0.99)) : null,
    mean: e2e.count ? r(e2e.mean()) : null,
    samples: e2e.count,
  };
  const socketMean =
    e2eFigure.mean !== null && gatewayE2e.mean !== null
      ? Math.round((e2eFigure.mean - gatewayE2e.mean) * 10) / 10
      : null;
  return { hops, gatewayE2e, socketMean, e2e: e2eFigure };
}

export function hopLatencyTable(h: HopLatency): Table {
  const p99 = (f: HopFigure): Cell => (f.p99Beyond ? `> ${f.p99}` : f.p99);
  const row = (label: string, f: HopFigure): Cell[] => [label, f.p50, p99(f), f.mean, f.samples];
  return {
    title:
      "where the time goes, ms: hops from the gateway's threadcast_hop_latency_seconds (per event, " +
      'each from one record timestamp to the next; p50/p99 interpolated in its buckets); socket = the ' +
      "receivers' e2e mean minus the gateway's accept -> written mean (quantiles do not add up, means do)",
    columns: ['hop', 'p50', 'p99', 'mean', 'samples'],
    rows: [
      ...HOPS.map(({ hop, what }) => row(`${hop}: ${what}`, h.hops[hop]!)),
      ['socket: written -> client receipt', null, null, h.socketMean, null],
      row("accept -> written (gateway's e2e histogram, coarse buckets)", h.gatewayE2e),
      row('accept -> receipt (e2e, the receivers)', h.e2e),
    ],
  };
}

/** Said when the deliveries records carried no upstream timestamps (`tc-hops`). */
export function hopLatencyWarnings(h: HopLatency): string[] {
  const known = HOPS.filter(({ hop }) => h.hops[hop]!.samples > 0).map(({ hop }) => hop);
  if (known.length === HOPS.length || h.hops.gateway!.samples === 0) return [];
  return [
    `hop latency: only ${known.join(', ')} measured: the deliveries records carry no tc-hops ` +
      '(upstream record timestamps) for the others',
  ];
}
