// Renders the chart with the pinned helm and reads the result, for the chart suites.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(__dirname, '../../..');
export const chartDir = join(repoRoot, 'deploy/helm/threadcast');
export const RELEASE = 'threadcast';
export const NAMESPACE = 'comments';
export const SERVICES = ['ingest', 'enrich', 'route', 'gateway'] as const;

export interface Tools {
  helm: string;
  kubeconform: string;
  schemaDir: string;
  kubernetesVersion: string;
  promcheck: string;
}

let tools: Tools | undefined;
/** helm, kubeconform, the schemas and promcheck, built on first use by tools.mjs (cached outside git). */
export function chartTools(): Tools {
  tools ??= JSON.parse(
    execFileSync(process.execPath, [join(repoRoot, 'tools/helm/tools.mjs'), 'paths'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  ) as Tools;
  return tools;
}

/** A Kubernetes object as rendered; fields are read with `at`. */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string } } & Record<
  string,
  unknown
>;

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `helm template` with the given values files (relative to the chart) and inline values. */
export function helmTemplate(files: string[], values?: unknown): HelmResult {
  const { helm, kubernetesVersion } = chartTools();
  const dir = mkdtempSync(join(tmpdir(), 'threadcast-values-'));
  try {
    const args = [
      'template',
      RELEASE,
      chartDir,
      '--namespace',
      NAMESPACE,
      '--kube-version',
      kubernetesVersion,
    ];
    for (const f of files) args.push('--values', join(chartDir, f));
    if (values !== undefined) {
      const file = join(dir, 'values.json');
      writeFileSync(file, JSON.stringify(values));
      args.push('--values', file);
    }
    const r = spawnSync(helm, args, { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The objects `helm template` renders; throws with helm's message when it fails. */
export function render(files: string[] = [], values?: unknown): K8sObject[] {
  const r = helmTemplate(files, values);
  if (r.status !== 0) throw new Error(`helm template failed (${r.status}): ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => {
      if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0]?.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** The one object of a kind and name; fails the test when it is missing or repeated. */
export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const hits = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (hits.length !== 1) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind}/${name}, found ${hits.length} among: ${have}`);
  }
  return hits[0] as K8sObject;
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** A nested field by path ('spec.template.spec'); undefined when any step is missing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function at(obj: unknown, path: string): any {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  [key: string]: unknown;
}

/** The single container of a Deployment's or Job's pod template. */
export function container(workload: K8sObject): Container {
  const containers = at(workload, 'spec.template.spec.containers') as Container[];
  expect(containers).toHaveLength(1);
  return containers[0] as Container;
}

/**
 * The environment a container starts with: its ConfigMap (envFrom) overlaid by `env` entries,
 * as `NAME -> value` for plain values or `NAME -> {secret, key}` for secret references.
 */
export function environment(
  objects: K8sObject[],
  workload: K8sObject,
): Map<string, string | { secret: string; key: string } | { field: string }> {
  const c = container(workload);
  const env = new Map<string, string | { secret: string; key: string } | { field: string }>();
  for (const from of c.envFrom ?? []) {
    if (!from.configMapRef) continue;
    const data = at(find(objects, 'ConfigMap', from.configMapRef.name), 'data') as Record<string, string>;
    for (const [k, v] of Object.entries(data)) env.set(k, v);
  }
  for (const e of c.env ?? []) {
    const secret = e.valueFrom?.secretKeyRef;
    const field = e.valueFrom?.fieldRef;
    if (secret) env.set(e.name, { secret: secret.name as string, key: secret.key as string });
    else if (field) env.set(e.name, { field: field.fieldPath as string });
    else env.set(e.name, e.value ?? '');
  }
  return env;
}

export const nameOf = (service: string) => `${RELEASE}-${service}`;

/** A PromQL query as Prometheus' parser reads it (tools/helm/promcheck). */
export interface Query {
  group?: string;
  alert?: string;
  expr: string;
  error?: string;
  /** Every vector selector: the metric and its label matchers (op `=`, `!=`, `=~`, `!~`). */
  selectors: { metric: string; matchers: { label: string; op: string; value: string }[] }[];
  /** Every aggregation: its `by` (or `without`) labels and the metrics it aggregates. */
  groupings: { op: string; labels: string[]; without: boolean; metrics: string[] }[];
}

/**
 * Prometheus' own parsers over a `rule_files:` file (`rules`: rulefmt, as Prometheus loads it) or
 * a list of PromQL expressions (`exprs`); `errors` lists what Prometheus would refuse.
 */
export function promcheck(mode: 'rules', ruleFile: string): { errors: string[]; queries: Query[] };
export function promcheck(mode: 'exprs', exprs: string[]): { errors: string[]; queries: Query[] };
export function promcheck(mode: 'rules' | 'exprs', input: string | string[]) {
  const r = spawnSync(chartTools().promcheck, [mode], {
    input: typeof input === 'string' ? input : JSON.stringify(input),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`promcheck ${mode} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { errors: string[]; queries: Query[] };
}
