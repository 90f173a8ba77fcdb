// `npm test`: the one test command, for developers and CI alike. Runs, stopping at the first
// failure: lint + typecheck + unit tests (no Kafka), build (apps bundle to dist/main.js), the
// chart checks, then the integration targets against a throwaway broker (with-kafka.mjs;
// KAFKA_BROKERS wins) and the failover target (a three-broker cluster the tests run themselves).
// Then the browser test (Chromium driven by playwright-core), only where CHROMIUM_PATH or
// /usr/bin/chromium exists: the step says so when it does not run (.ci/run installs Chromium).
// Extra CLI arguments are ignored.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, repoRoot, run, signalChild } from './lib/proc.mjs';

const withKafka = join(repoRoot, 'tools/scripts/with-kafka.mjs');
const nxArgs = (...args) => ['run-many', ...args, '--outputStyle=stream'];
const STEPS = [
  { name: 'lint, typecheck, unit tests', cmd: 'nx', args: nxArgs('-t', 'lint', 'typecheck', 'test') },
  { name: 'formatting', cmd: 'prettier', args: ['--check', '.', '--log-level=warn'] },
  {
    name: 'module boundaries bite',
    cmd: process.execPath,
    args: [join(repoRoot, 'tools/scripts/check-boundaries.mjs')],
  },
  { name: 'build', cmd: 'nx', args: nxArgs('-t', 'build') },
  // Helm chart and images, offline (tools/helm/check.mjs; builds pinned helm/kubeconform once).
  { name: 'chart checks', cmd: process.execPath, args: [join(repoRoot, 'tools/helm/check.mjs')] },
  // process.execPath: the Node running us, found even when node_modules/.bin is not on PATH.
  // The failover tests (apps/e2e, *.failover.ts) run a three-broker cluster of their own.
  {
    name: 'integration and failover tests',
    cmd: process.execPath,
    args: [withKafka, 'nx', ...nxArgs('-t', 'integration', 'failover', '--parallel=1')],
  },
];
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(chromium)) {
  STEPS.push({
    name: `browser test (${chromium})`,
    cmd: process.execPath,
    args: [withKafka, 'nx', 'run', '@threadcast/e2e:browser', '--outputStyle=stream'],
  });
}

const say = (msg) => process.stdout.write(`\n[test] ${msg}\n`);
say(`node ${process.version} (${process.execPath})`);
if (Number(process.versions.node.split('.')[0]) < 24) {
  say('warning: the project targets Node >= 24; use `npm test`, which runs the pinned Node 24');
}

// Ctrl-C reaches the running step directly (same process group), so SIGINT is only noted;
// SIGTERM (CI cancelling the job) reaches us alone: pass it on so that the step cleans up
// (with-kafka stops its broker).
let current;
let signalled;
process.on('SIGINT', () => (signalled ??= 'SIGINT'));
process.on('SIGTERM', () => {
  signalled ??= 'SIGTERM';
  signalChild(current, 'SIGTERM');
});

if (!existsSync(chromium)) {
  say(`browser test NOT RUN: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

const started = Date.now();
const done = [];
const secs = (ms) => `${Math.round(ms / 1000)}s`;
for (const step of STEPS) {
  say(`${step.name}...`);
  const t = Date.now();
  const status = await run(step.cmd, step.args, { env: childEnv(), onSpawn: (c) => (current = c) });
  if (status !== 0 || signalled) {
    const why = signalled ? `interrupted (${signalled})` : `exit ${status}`;
    say(
      `FAIL: ${step.name} (${why}) after ${secs(Date.now() - started)}; passed: ${done.join(', ') || 'none'}`,
    );
    process.exit(status || 1);
  }
  done.push(`${step.name} ${secs(Date.now() - t)}`);
}
say(`PASS: ${done.join(', ')} (total ${secs(Date.now() - started)})`);
