// Which metrics exist, with which labels, for the checks that the alerts and the dashboard query
// only real series: the services' own (declared in apps/*/src and libs/*/src), Node's defaults
// (prom-client's collectDefaultMetrics, as libs/runtime registers them), the kube-state-metrics
// series the readiness alerts read, and Prometheus' `up`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { repoRoot, type Query } from './chart-tools';

/** Metric name -> the label names its series carry. */
export type Catalog = Map<string, Set<string>>;

/**
 * Labels every scraped threadcast series carries besides its own: the targets' labels the
 * Prometheus Operator adds from the ServiceMonitor, and `service`, which every service's registry
 * sets on all its metrics (libs/runtime createMetricsRegistry) and the ServiceMonitor keeps
 * (honorLabels).
 */
export const TARGET_LABELS = ['namespace', 'pod', 'instance', 'job', 'container', 'endpoint', 'service'];

/** kube-state-metrics series the chart's readiness alerts read (its docs: docs/metrics/workload). */
const KUBE_STATE_METRICS: Record<string, string[]> = {
  kube_pod_status_ready: ['namespace', 'pod', 'uid', 'condition'],
  kube_deployment_status_replicas_available: ['namespace', 'deployment'],
  kube_statefulset_status_replicas_ready: ['namespace', 'statefulset'],
};

type Kind = 'counter' | 'gauge' | 'histogram' | 'summary';

function add(catalog: Catalog, name: string, kind: Kind, labels: string[]) {
  const all = [...labels, ...TARGET_LABELS];
  catalog.set(name, new Set(all));
  if (kind === 'histogram') {
    catalog.set(`${name}_bucket`, new Set([...all, 'le']));
    for (const s of ['_sum', '_count']) catalog.set(`${name}${s}`, new Set(all));
  }
  if (kind === 'summary') {
    for (const s of ['_sum', '_count']) catalog.set(`${name}${s}`, new Set(all));
  }
}

/** One metric the services declare. */
export interface Declaration {
  name: string;
  kind: Kind;
  labels: string[];
}

/**
 * The services' own metrics: every `new Counter|Gauge|Histogram|Summary({ name: 'threadcast_...',
 * labelNames: [...], registers })` in apps/* and libs/* sources (tests excluded).
 */
export function declarations(): Declaration[] {
  const found: Declaration[] = [];
  const decl =
    /new (Counter|Gauge|Histogram|Summary)\b[^(]*\(\{\s*name: '(threadcast_[a-z0-9_]+)',(?:(?!new [A-Z])[\s\S])*?(?:labelNames: \[([^\]]*)\](?:(?!new [A-Z])[\s\S])*?)?registers/g;
  for (const text of sources()) {
    for (const m of text.matchAll(decl)) {
      const labels = [...(m[3] ?? '').matchAll(/'([a-z_]+)'/g)].map((l) => l[1] as string);
      found.push({ name: m[2] as string, kind: (m[1] as string).toLowerCase() as Kind, labels });
    }
  }
  return found;
}

/** The text of every non-test TypeScript source of apps/* and libs/*. */
export function sources(): string[] {
  const texts: string[] = [];
  for (const top of ['apps', 'libs']) {
    for (const pkg of readdirSync(join(repoRoot, top))) {
      const src = join(repoRoot, top, pkg, 'src');
      let files: string[];
      try {
        files = readdirSync(src, { recursive: true }) as string[];
      } catch {
        continue;
      }
      for (const f of files.filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
        texts.push(readFileSync(join(src, f), 'utf8'));
      }
    }
  }
  return texts;
}

/** The services' own metrics and their series (a histogram's _bucket, _sum and _count). */
export function declaredMetrics(): Catalog {
  const catalog: Catalog = new Map();
  for (const d of declarations()) add(catalog, d.name, d.kind, d.labels);
  return catalog;
}

/** Node's default metrics, as prom-client exports them for a service. */
export async function defaultMetrics(): Promise<Catalog> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const catalog: Catalog = new Map();
  for (const m of await registry.getMetricsAsJSON()) {
    const labels = new Set<string>();
    for (const v of m.values)
      for (const l of Object.keys(v.labels)) if (l !== 'le' && l !== 'quantile') labels.add(l);
    add(catalog, m.name, m.type.toString() as Kind, [...labels]);
  }
  return catalog;
}

/** Everything the alerts and the dashboard may query. */
export async function metricCatalog(): Promise<Catalog> {
  const catalog: Catalog = new Map([...declaredMetrics(), ...(await defaultMetrics())]);
  for (const [name, labels] of Object.entries(KUBE_STATE_METRICS)) catalog.set(name, new Set(labels));
  catalog.set('up', new Set(TARGET_LABELS));
  return catalog;
}

/**
 * What a query uses that does not exist: metrics missing from the catalog, label matchers on
 * labels the metric does not have, and aggregations by a label none of their metrics has.
 */
export function unknownUses(queries: Query[], catalog: Catalog): string[] {
  const problems: string[] = [];
  for (const q of queries) {
    const where = q.alert ?? q.expr;
    for (const s of q.selectors) {
      const labels = catalog.get(s.metric);
      if (!labels) {
        problems.push(`${where}: no metric ${s.metric}`);
        continue;
      }
      for (const m of s.matchers) {
        if (!labels.has(m.label)) problems.push(`${where}: ${s.metric} has no label ${m.label}`);
      }
    }
    for (const g of q.groupings) {
      if (g.without) continue;
      const available = new Set(g.metrics.flatMap((m) => [...(catalog.get(m) ?? [])]));
      for (const l of g.labels) {
        if (!available.has(l)) problems.push(`${where}: ${g.op} by (${l}) over ${g.metrics.join(', ')}`);
      }
    }
  }
  return problems;
}
