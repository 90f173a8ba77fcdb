// `npm run chart:check`, and the "chart checks" step of `npm test`: the Helm chart and the images,
// offline, with pinned tools built from the Go module proxy and cached outside git (lib/tools.mjs):
//   1. helm lint --strict, with the default values and each ci/*.yaml scenario;
//   2. helm template for the same scenarios;
//   3. kubeconform -strict on every rendered object, against JSON schemas generated from the
//      k8s.io/api and prometheus-operator Go modules (no schema, or a misspelt field, fails);
//   4. the jest suites in test/: the rendered YAML (probes, resources, security, PDBs, HPA,
//      drain, secrets referenced only, each scenario), bad values rejected, the alert rules and
//      the dashboard (through Prometheus' own parsers, promcheck: they load, link their runbook
//      sections and query only metrics that exist), the Dockerfile and the bundles it copies
//      (`npm test` builds them first).
// The first run on a machine builds the tools (a few minutes); later runs take seconds.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, run } from '../scripts/lib/proc.mjs';
import { chartDir, ensureTools, exec, helmToolsDir, repoRoot } from './lib/tools.mjs';

const RELEASE = 'threadcast';
const NAMESPACE = 'threadcast';

const say = (msg) => process.stdout.write(`[chart] ${msg}\n`);
const secs = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

async function must(what, cmd, args) {
  const r = await exec(cmd, args);
  if (r.code !== 0) {
    process.stdout.write(`${r.stdout}${r.stderr}`);
    throw new Error(`${what} failed (exit ${r.code})`);
  }
  return r;
}

async function main() {
  const started = Date.now();
  say('tools: helm, kubeconform, Kubernetes schemas, promcheck (built on first use, cached)...');
  const tools = await ensureTools();
  say(
    `tools ready in ${secs(started)}${tools.built.length ? ` (built ${tools.built.join(', ')})` : ' (cached)'}`,
  );
  const kube = tools.kubernetesVersion;

  const scenarios = [
    { name: 'default', args: [] },
    ...readdirSync(join(chartDir, 'ci'))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => ({ name: `ci/${f}`, args: ['--values', join(chartDir, 'ci', f)] })),
  ];

  const t1 = Date.now();
  for (const s of scenarios) {
    await must(`helm lint (${s.name})`, tools.helm, [
      'lint',
      '--strict',
      '--kube-version',
      kube,
      chartDir,
      ...s.args,
    ]);
  }
  say(`helm lint --strict: ${scenarios.length} scenarios pass (${secs(t1)})`);

  const out = mkdtempSync(join(tmpdir(), 'threadcast-chart-'));
  try {
    const t2 = Date.now();
    const files = [];
    for (const s of scenarios) {
      const r = await must(`helm template (${s.name})`, tools.helm, [
        'template',
        RELEASE,
        chartDir,
        '--namespace',
        NAMESPACE,
        '--kube-version',
        kube,
        ...s.args,
      ]);
      const file = join(out, `${s.name.replace(/[/.]/g, '-')}.yaml`);
      writeFileSync(file, r.stdout);
      files.push(file);
      const kinds = (r.stdout.match(/^kind: /gm) ?? []).length;
      say(`helm template ${s.name}: ${kinds} objects`);
    }
    const v = await must('kubeconform', tools.kubeconform, [
      '-strict',
      '-summary',
      '-kubernetes-version',
      kube,
      '-schema-location',
      tools.schemaDir,
      ...files,
    ]);
    const summary = v.stdout.trim().split('\n').at(-1);
    // Skipped objects would mean no schema: kubeconform fails on those anyway (no -ignore-missing-schemas).
    say(`kubeconform -strict (Kubernetes ${kube}): ${summary} (${secs(t2)})`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  // The image tests read the bundles the images copy; `npm test` has built them already.
  const missing = readdirSync(join(repoRoot, 'apps')).filter((app) => {
    const pkg = join(repoRoot, 'apps', app, 'package.json');
    return (
      existsSync(pkg) &&
      JSON.parse(readFileSync(pkg, 'utf8')).main === 'dist/main.js' &&
      !existsSync(join(repoRoot, 'apps', app, 'dist/main.js'))
    );
  });
  if (missing.length) {
    say(`building the bundles of ${missing.join(', ')}...`);
    const projects = missing.map((app) => `@threadcast/${app}`).join(',');
    const built = await run('nx', ['run-many', '-t', 'build', '-p', projects, '--outputStyle=stream'], {
      env: childEnv(),
    });
    if (built !== 0) throw new Error(`building ${missing.join(', ')} failed (exit ${built})`);
  }

  const t3 = Date.now();
  const jest = join(repoRoot, 'node_modules/jest/bin/jest.js');
  const status = await run(process.execPath, [jest, '-c', join(helmToolsDir, 'jest.config.cjs')], {
    env: childEnv(),
  });
  if (status !== 0) throw new Error(`chart and image tests failed (exit ${status})`);
  say(`chart and image tests pass (${secs(t3)}); all chart checks in ${secs(started)}`);
}

main().catch((e) => {
  process.stderr.write(`[chart] FAIL: ${e.message}\n`);
  process.exit(1);
});
