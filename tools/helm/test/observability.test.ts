// The alerts and the dashboard: one set, shipped by the chart (templates/prometheusrule.yaml,
// dashboards/threadcast.json; deploy/observability/README.md). Read back from `helm template` and
// through Prometheus' own parsers (promcheck): Prometheus loads the rules, every alert has its
// section in docs/runbook.md and links it, docs/deploy.md lists them, every query is scoped to the
// release, and the rules and the dashboard query only metrics and labels that exist.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  NAMESPACE,
  SERVICES,
  at,
  find,
  nameOf,
  ofKind,
  promcheck,
  render,
  repoRoot,
  type K8sObject,
  type Query,
} from './chart-tools';
import {
  declarations,
  declaredMetrics,
  metricCatalog,
  sources,
  unknownUses,
  type Catalog,
} from './metric-catalog';

const RUNBOOK_URL = 'https://git.example.com/threadcast/blob/main/docs/runbook.md';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const rulesOf = (objects: K8sObject[], name = 'threadcast'): Rule[] =>
  (at(find(objects, 'PrometheusRule', name), 'spec.groups') as { rules: Rule[] }[]).flatMap((g) => g.rules);
const alertNames = (rules: Rule[]) => [...new Set(rules.map((r) => r.alert))].sort();

/** The rendered PrometheusRule's groups as a `rule_files:` file, parsed by Prometheus (rulefmt). */
function loadRules(objects: K8sObject[], name = 'threadcast') {
  const spec = at(find(objects, 'PrometheusRule', name), 'spec');
  return promcheck('rules', stringify({ groups: spec.groups }));
}

/** Every query of the dashboard, with Grafana's variables as Grafana would substitute them. */
function dashboardExprs(dashboard: { panels: { targets?: { expr: string }[] }[] }): string[] {
  return dashboard.panels
    .flatMap((p) => p.targets ?? [])
    .map((t) => t.expr.replaceAll('$__rate_interval', '1m').replaceAll('$namespace', NAMESPACE));
}

/** GitHub's anchor of a Markdown heading. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

function markdown(file: string) {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  return { text, anchors: new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1] as string))) };
}

/** The `### <alert>` headings under the runbook's `## Alerts`. */
function runbookAlertSections(): string[] {
  const { text } = markdown('docs/runbook.md');
  const start = text.indexOf('\n## Alerts\n');
  expect(start).toBeGreaterThan(0);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^### (\S+)$/gm)].map((m) => m[1] as string).sort();
}

describe('the alert rules (production values)', () => {
  let objects: K8sObject[];
  let rules: Rule[];
  beforeAll(() => {
    objects = render(['ci/production.yaml']);
    rules = rulesOf(objects);
  });

  it('load in Prometheus as rendered: fields, durations, PromQL, label and annotation templates', () => {
    const loaded = loadRules(objects);
    expect(loaded.errors).toEqual([]);
    expect(loaded.queries.map((q) => q.alert)).toEqual(rules.map((r) => r.alert));
  });

  it('each have a section in docs/runbook.md, and the runbook explains no alert that is gone', () => {
    expect(runbookAlertSections()).toEqual(alertNames(rules));
  });

  it('each link their runbook section: runbookUrl#<alert name in lower case>', () => {
    const { anchors } = markdown('docs/runbook.md');
    for (const r of rules) {
      const section = r.alert.toLowerCase();
      expect({ alert: r.alert, url: r.annotations.runbook_url }).toEqual({
        alert: r.alert,
        url: `${RUNBOOK_URL}#${section}`,
      });
      expect({ alert: r.alert, anchorExists: anchors.has(section) }).toEqual({
        alert: r.alert,
        anchorExists: true,
      });
    }
  });

  it('are the ones docs/deploy.md lists', () => {
    const { text } = markdown('docs/deploy.md');
    const listed = [...text.matchAll(/^\| (Threadcast[A-Za-z0-9]+) +\|/gm)].map((m) => m[1] as string);
    expect([...listed].sort()).toEqual(alertNames(rules));
  });

  it('each have a severity, a summary and a description', () => {
    for (const r of rules) {
      expect({
        alert: r.alert,
        severity: ['info', 'warning', 'critical'].includes(r.labels.severity ?? ''),
      }).toEqual({ alert: r.alert, severity: true });
      expect(r.annotations.summary).toMatch(/\S/);
      expect(r.annotations.description).toMatch(/\S/);
    }
    // The same alert name at two severities: a warning first, critical when it gets worse.
    for (const name of ['ThreadcastE2ELatencyHigh', 'ThreadcastConsumerLagHigh']) {
      expect(rules.filter((r) => r.alert === name).map((r) => r.labels.severity)).toEqual([
        'warning',
        'critical',
      ]);
    }
  });

  it("select only this release's services in its namespace", () => {
    const { queries } = loadRules(objects);
    const deployments = ofKind(objects, 'Deployment').map((d) => d.metadata.name);
    // The ServiceMonitor names the job after the service (`<fullname>-<service>`, chart.test.ts),
    // not after the ops Service it scrapes.
    const jobs = deployments;
    expect([...deployments].sort()).toEqual(SERVICES.map(nameOf).sort());
    const matches = (value: string, re: string) => new RegExp(`^(?:${re})$`).test(value);
    for (const q of queries) {
      for (const s of q.selectors) {
        const m = Object.fromEntries(s.matchers.map((x) => [x.label, x]));
        const where = `${q.alert}: ${s.metric}`;
        expect({ where, namespace: m.namespace }).toEqual({
          where,
          namespace: { label: 'namespace', op: '=', value: NAMESPACE },
        });
        // Scraped series by job, kube-state-metrics
        // series by object name.
        const [label, names] = s.metric.startsWith('kube_pod_')
          ? ['pod', deployments.map((d) => `${d}-7d4b9c8f6-x2x9k`)]
          : s.metric.startsWith('kube_deployment_')
            ? ['deployment', deployments]
            : s.metric.startsWith('kube_statefulset_')
              ? ['statefulset', deployments]
              : ['job', jobs];
        const matcher = m[label];
        expect({ where, op: matcher?.op }).toEqual({ where, op: '=~' });
        const re = matcher?.value as string;
        for (const n of names)
          expect({ where, n, matches: matches(n, re) }).toEqual({ where, n, matches: true });
        for (const other of ['other-ingest', `${nameOf('topics')}`, 'threadcast-canary-gateway']) {
          expect({ where, other, matches: matches(other, re) }).toEqual({ where, other, matches: false });
        }
      }
    }
  });

  it('query only metrics the services, Node, kube-state-metrics and Prometheus export, by labels they have', async () => {
    const catalog = await metricCatalog();
    const { queries } = loadRules(objects);
    expect(unknownUses(queries, catalog)).toEqual([]);
    const used = new Set(queries.flatMap((q) => q.selectors.map((s) => s.metric)));
    expect(used.size).toBeGreaterThan(12);
  });
});

describe('the alert rules, other values', () => {
  it('take their thresholds and hold time from values', () => {
    const rules = rulesOf(
      render([], {
        metrics: {
          prometheusRule: {
            enabled: true,
            for: '15m',
            consumerLagThreshold: 4242,
            consumerLagCriticalThreshold: 90000,
            e2eLatencyP99Seconds: 0.3,
            ingestErrorRatio: 0.02,
          },
        },
      }),
    );
    const byAlert = (alert: string, severity = 'warning') =>
      rules.find((r) => r.alert === alert && r.labels.severity === severity) as Rule;
    expect(byAlert('ThreadcastConsumerLagHigh').expr).toMatch(/\) > 4242$/);
    expect(byAlert('ThreadcastConsumerLagHigh').for).toBe('15m');
    expect(byAlert('ThreadcastConsumerLagHigh', 'critical').expr).toMatch(/\) > 90000$/);
    expect(byAlert('ThreadcastConsumerLagHigh', 'critical').for).toBe('5m');
    expect(byAlert('ThreadcastE2ELatencyHigh').expr).toMatch(/\) > 0\.3$/);
    expect(byAlert('ThreadcastIngestErrors', 'critical').expr).toMatch(/\) > 0\.02$/);
  });

  it('link no runbook without runbookUrl', () => {
    const rules = rulesOf(render([], { metrics: { prometheusRule: { enabled: true } } }));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(r.annotations).not.toHaveProperty('runbook_url');
  });

  it('follow the release name into their selectors, regex metacharacters quoted', () => {
    const objects = render([], {
      fullnameOverride: 'tc.live',
      metrics: { prometheusRule: { enabled: true } },
    });
    const { errors, queries } = loadRules(objects, 'tc.live');
    expect(errors).toEqual([]);
    const jobs = queries.flatMap((q) =>
      q.selectors.flatMap((s) => s.matchers.filter((m) => m.label === 'job').map((m) => m.value)),
    );
    expect(jobs.length).toBeGreaterThan(10);
    for (const re of jobs) {
      expect(new RegExp(`^(?:${re})$`).test('tc.live-gateway')).toBe(true);
      expect(new RegExp(`^(?:${re})$`).test('tcXlive-gateway')).toBe(false);
    }
  });
});

describe('the dashboard (production values)', () => {
  let dashboard: {
    uid: string;
    panels: { id: number; type: string; targets?: { expr: string }[] }[];
    templating: { list: { name: string; definition?: string }[] };
  };
  let queries: Query[];
  beforeAll(() => {
    const objects = render(['ci/production.yaml']);
    const cm = find(objects, 'ConfigMap', 'threadcast-dashboard');
    expect(at(cm, 'metadata.labels.grafana_dashboard')).toBe('1');
    const shipped = at(cm, 'data')['threadcast.json'] as string;
    // The ConfigMap carries the chart's file as it is.
    expect(shipped).toBe(
      readFileSync(join(repoRoot, 'deploy/helm/threadcast/dashboards/threadcast.json'), 'utf8').trimEnd(),
    );
    dashboard = JSON.parse(shipped);
    const parsed = promcheck('exprs', dashboardExprs(dashboard));
    expect(parsed.errors).toEqual([]);
    queries = parsed.queries;
  });

  it('has panels with unique ids, each with a query that Prometheus parses', () => {
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(15);
    for (const p of graphs) expect(p.targets?.length).toBeGreaterThan(0);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows one namespace, chosen from the namespaces that have threadcast series', () => {
    for (const q of queries) {
      for (const s of q.selectors) {
        expect({ q: q.expr, m: s.matchers.find((m) => m.label === 'namespace') }).toEqual({
          q: q.expr,
          m: { label: 'namespace', op: '=', value: NAMESPACE },
        });
      }
    }
    const variable = dashboard.templating.list.find((v) => v.name === 'namespace');
    const metric = /^label_values\(([a-z0-9_]+), namespace\)$/.exec(variable?.definition ?? '')?.[1];
    expect(declaredMetrics().has(metric as string)).toBe(true);
  });

  it('queries only metrics the services and Node export, by labels they have', async () => {
    const catalog = await metricCatalog();
    expect(unknownUses(queries, catalog)).toEqual([]);
    const used = new Set(queries.flatMap((q) => q.selectors.map((s) => s.metric)));
    expect(used.size).toBeGreaterThan(20);
  });
});

describe('the metric catalog the checks use', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    catalog = await metricCatalog();
  });

  it('reads every metric the sources declare, with its labels', () => {
    const named = sources().flatMap((t) => t.match(/name: 'threadcast_[a-z0-9_]+'/g) ?? []);
    expect(declarations().map((d) => `name: '${d.name}'`)).toEqual(named);
    expect([...(catalog.get('threadcast_consumer_lag') ?? [])]).toEqual(
      expect.arrayContaining(['stage', 'topic', 'partition', 'namespace', 'service']),
    );
    expect(catalog.get('threadcast_e2e_latency_seconds_bucket')?.has('le')).toBe(true);
    expect(catalog.get('threadcast_record_retries_total')?.has('topic')).toBe(false);
    expect(catalog.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(catalog.has('process_resident_memory_bytes')).toBe(true);
  });

  it('flags a metric that does not exist, a label it lacks and a grouping by a missing label', () => {
    const { queries } = promcheck('exprs', [
      'sum(rate(threadcast_comments_lost_total[5m]))',
      'threadcast_consumer_lag{route="x"}',
      'sum by (topic) (rate(threadcast_record_retries_total[5m]))',
      'sum by (stage, pod) (rate(threadcast_record_retries_total[5m]))',
    ]);
    expect(unknownUses(queries, catalog)).toEqual([
      'sum(rate(threadcast_comments_lost_total[5m])): no metric threadcast_comments_lost_total',
      'threadcast_consumer_lag{route="x"}: threadcast_consumer_lag has no label route',
      'sum by (topic) (rate(threadcast_record_retries_total[5m])): sum by (topic) over threadcast_record_retries_total',
    ]);
  });

  it('promcheck refuses what Prometheus would: bad PromQL, a bad duration, a broken template', () => {
    const file = stringify({
      groups: [
        {
          name: 'g',
          rules: [
            { alert: 'A', expr: 'rate(up[5m]', for: '5m' },
            { alert: 'B', expr: 'up == 0', for: 'ten minutes' },
            { alert: 'C', expr: 'up == 0', annotations: { summary: '{{ $labels.job ' } },
          ],
        },
      ],
    });
    const { errors } = promcheck('rules', file);
    expect(errors.join('\n')).toMatch(/ten minutes/);
    const again = promcheck(
      'rules',
      stringify({
        groups: [
          {
            name: 'g',
            rules: [
              { alert: 'A', expr: 'rate(up[5m]' },
              { alert: 'C', expr: 'up', annotations: { summary: '{{ $labels.job ' } },
            ],
          },
        ],
      }),
    );
    expect(again.errors.join('\n')).toMatch(/"A".*parse error/);
    expect(again.errors.join('\n')).toMatch(/"C".*annotation "summary"/);
  });
});
