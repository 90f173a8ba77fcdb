/**
 * Kafka requests each service sent over a measured window, by API, from its own
 * `threadcast_kafka_requests_total{client,api}`: on this machine a request costs the broker
 * about a millisecond of CPU, so requests per comment say what a stage's design costs.
 */
import type { Sample } from './prom-text';
import type { Cell, Table } from './table';

const METRIC = 'threadcast_kafka_requests_total';
/** Columns of their own, always shown; any other API seen gets one too, up to MAX_OTHERS. */
const MAIN_APIS = ['Fetch', 'Produce', 'OffsetCommit', 'Heartbeat'];
const MAX_OTHERS = 3;

export interface KafkaRequests {
  /** Per process: requests by API (every client kind added up), and by client kind and API. */
  processes: Record<
    string,
    { byApi: Record<string, number>; byClient: Record<string, number>; total: number }
  >;
  total: number;
  perSecond: number;
  /** Requests per accepted comment, all processes; null without comments. */
  perComment: number | null;
}

export function kafkaRequests(
  deltas: Record<string, Sample[]>,
  processes: string[],
  seconds: number,
  comments: number,
): KafkaRequests {
  const out: KafkaRequests['processes'] = {};
  let total = 0;
  for (const name of processes) {
    const samples = deltas[name];
    if (!samples) continue;
    const p = { byApi: {} as Record<string, number>, byClient: {} as Record<string, number>, total: 0 };
    for (const s of samples) {
      if (s.name !== METRIC || s.value <= 0) continue;
      const api = s.labels.api ?? '?';
      p.byApi[api] = (p.byApi[api] ?? 0) + s.value;
      const key = `${s.labels.client ?? '?'} ${api}`;
      p.byClient[key] = (p.byClient[key] ?? 0) + s.value;
      p.total += s.value;
    }
    out[name] = p;
    total += p.total;
  }
  return {
    processes: out,
    total,
    perSecond: seconds > 0 ? total / seconds : 0,
    perComment: comments > 0 ? total / comments : null,
  };
}

export function kafkaRequestsTable(k: KafkaRequests, seconds: number, comments: number): Table {
  const seen = new Set(Object.values(k.processes).flatMap((p) => Object.keys(p.byApi)));
  const others = [...seen].filter((a) => !MAIN_APIS.includes(a)).sort();
  const ownColumns = others.length > MAX_OTHERS ? others.slice(0, MAX_OTHERS - 1) : others;
  const folded = others.filter((a) => !ownColumns.includes(a));
  const apis = [...MAIN_APIS, ...ownColumns];
  const round = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
  const rowOf = (label: string, byApi: Record<string, number>, total: number): Cell[] => [
    label,
    ...apis.map((a) => byApi[a] ?? 0),
    ...(folded.length ? [folded.reduce((s, a) => s + (byApi[a] ?? 0), 0)] : []),
    total,
    seconds > 0 ? round(total / seconds) : null,
    comments > 0 ? Math.round((total / comments) * 100) / 100 : null,
  ];
  const all: Record<string, number> = {};
  for (const p of Object.values(k.processes)) {
    for (const [a, n] of Object.entries(p.byApi)) all[a] = (all[a] ?? 0) + n;
  }
  return {
    title:
      `Kafka requests over the measured window, by API (each service's threadcast_kafka_requests_total; ` +
      `${comments.toLocaleString('en-US')} comments accepted in ${seconds.toFixed(1)} s)`,
    columns: [
      'process',
      ...apis,
      ...(folded.length ? [`other (${folded.join(', ')})`] : []),
      'total',
      'requests/s',
      'per comment',
    ],
    rows: [
      ...Object.entries(k.processes).map(([name, p]) => rowOf(name, p.byApi, p.total)),
      rowOf('all processes', all, k.total),
    ],
  };
}
