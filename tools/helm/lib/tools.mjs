// The chart checks' tools, pinned and cached outside git in <cache>/helm (cache:
// $THREADCAST_CACHE_DIR or ~/.cache/threadcast): helm and kubeconform built by `go install` from
// the Go module proxy, the Kubernetes JSON schemas kubeconform validates against, generated
// offline by ../schemagen from the k8s.io/api and prometheus-operator Go modules, and
// ../promcheck, Prometheus' rule and PromQL parsers for the alert and dashboard tests. Each piece is
// built into a temporary folder and renamed into place once complete, under a name that says
// what pins it: a second run reuses it, an interrupted run leaves nothing that looks finished,
// and changing a pin builds the new version beside the old one.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HELM = { name: 'helm', module: 'helm.sh/helm/v3/cmd/helm', version: 'v3.22.0' };
export const KUBECONFORM = {
  name: 'kubeconform',
  module: 'github.com/yannh/kubeconform/cmd/kubeconform',
  version: 'v0.8.0',
};
/** The Go release schemagen's go.mod needs (its `go` line); older ones stop with a clear message. */
const MIN_GO = [1, 26];

const here = dirname(fileURLToPath(import.meta.url));
export const helmToolsDir = resolve(here, '..');
export const repoRoot = resolve(helmToolsDir, '../..');
export const chartDir = join(repoRoot, 'deploy/helm/threadcast');
const schemagenDir = join(helmToolsDir, 'schemagen');
const SCHEMAGEN_FILES = ['go.mod', 'go.sum', 'main.go', 'tools.go'];
const promcheckDir = join(helmToolsDir, 'promcheck');
const PROMCHECK_FILES = ['go.mod', 'go.sum', 'main.go'];

/**
 * The API packages openapi-gen turns into OpenAPI definitions: the kinds the chart renders, and
 * every package their fields refer to (schemagen names a missing one).
 */
const OPENAPI_PACKAGES = [
  'k8s.io/api/core/v1',
  'k8s.io/api/apps/v1',
  'k8s.io/api/autoscaling/v2',
  'k8s.io/api/policy/v1',
  'k8s.io/api/networking/v1',
  'k8s.io/api/batch/v1',
  'k8s.io/api/scheduling/v1alpha3',
  'k8s.io/apimachinery/pkg/apis/meta/v1',
  'k8s.io/apimachinery/pkg/runtime',
  'k8s.io/apimachinery/pkg/util/intstr',
  'k8s.io/apimachinery/pkg/api/resource',
  'k8s.io/apimachinery/pkg/version',
];
/** The custom resources the chart can render (ServiceMonitor, PrometheusRule) come from here. */
const CRD_PACKAGE = 'github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1';

export function cacheDir() {
  return join(resolve(process.env.THREADCAST_CACHE_DIR || join(homedir(), '.cache', 'threadcast')), 'helm');
}

/** The Kubernetes version the schemas describe: k8s.io/api v0.X.Y is Kubernetes 1.X.Y. */
export function kubernetesVersion() {
  const gomod = readFileSync(join(schemagenDir, 'go.mod'), 'utf8');
  const m = /^\s*k8s\.io\/api v0\.(\d+)\.(\d+)\s*$/m.exec(gomod);
  if (!m) throw new Error(`no k8s.io/api requirement in ${join(schemagenDir, 'go.mod')}`);
  return `1.${m[1]}.${m[2]}`;
}

/** Runs a command, output captured; rejects with that output when it fails. */
export function exec(cmd, args, { cwd = repoRoot, env = process.env, input } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.once('error', (e) => rej(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.once('close', (code, signal) => {
      const result = {
        code: code ?? 128,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      };
      res(result);
    });
    child.stdin.end(input ?? '');
  });
}

async function mustExec(what, cmd, args, opts) {
  const r = await exec(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${what} failed (exit ${r.code}): ${cmd} ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  }
  return r;
}

/** Go's environment for our builds: this machine's toolchain, the pinned go.sum, no VCS stamping. */
function goEnv(extra = {}) {
  return {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=readonly -buildvcs=false',
    GOWORK: 'off',
    CGO_ENABLED: '0',
    ...extra,
  };
}

let goChecked;
async function checkGo() {
  goChecked ??= (async () => {
    const r = await exec('go', ['env', 'GOVERSION'], { env: goEnv() }).catch(() => null);
    const m = r && /^go(\d+)\.(\d+)/.exec(r.stdout.trim());
    if (!m) throw new Error('Go is required for the chart checks (helm and kubeconform build from source)');
    const [major, minor] = [Number(m[1]), Number(m[2])];
    if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
      throw new Error(`Go ${MIN_GO.join('.')}+ is required for the chart checks, found ${r.stdout.trim()}`);
    }
  })();
  return goChecked;
}

/** Builds `dir` with `build(tmp)` unless it exists; the finished folder appears at once. */
async function buildOnce(dir, build) {
  if (existsSync(join(dir, '.complete'))) return { dir, built: false };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, built: true };
}

/** `go install module@version` into <cache>/helm/bin/<name>-<version>/; returns the binary. */
export async function ensureGoTool(tool) {
  const dir = join(cacheDir(), 'bin', `${tool.name}-${tool.version}`);
  const { built } = await buildOnce(dir, async (tmp) => {
    await checkGo();
    await mustExec(`go install ${tool.module}`, 'go', ['install', `${tool.module}@${tool.version}`], {
      env: goEnv({ GOBIN: tmp, GOFLAGS: '-buildvcs=false' }),
    });
  });
  return { path: join(dir, tool.name), built };
}

/** A short hash of a Go module's files (and anything else its build depends on). */
function sourceKey(dir, files, extra = '') {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0`).update(readFileSync(join(dir, f)));
  h.update(extra);
  return h.digest('hex').slice(0, 16);
}

function schemagenKey() {
  return sourceKey(schemagenDir, SCHEMAGEN_FILES, JSON.stringify({ OPENAPI_PACKAGES, CRD_PACKAGE }));
}

/** ../promcheck built into <cache>/helm/promcheck-<hash of its sources>/promcheck. */
export async function ensurePromcheck() {
  const dir = join(cacheDir(), `promcheck-${sourceKey(promcheckDir, PROMCHECK_FILES)}`);
  const { built } = await buildOnce(dir, async (tmp) => {
    await checkGo();
    await mustExec('go build promcheck', 'go', ['build', '-o', join(tmp, 'promcheck'), '.'], {
      cwd: promcheckDir,
      env: goEnv(),
    });
  });
  return { path: join(dir, 'promcheck'), built };
}

function openapiGenArgs() {
  return [
    'tool',
    'openapi-gen',
    '--output-dir=generated',
    '--output-pkg=threadcast/tools/helm/schemagen/generated',
    '--output-file=zz_generated.openapi.go',
    '--go-header-file=boilerplate.go.txt',
    // API-rule violations of upstream types are theirs to fix, not ours: listed, not fatal.
    '--report-filename=api-violations.txt',
    ...OPENAPI_PACKAGES,
  ];
}

function copySchemagen(work) {
  mkdirSync(work, { recursive: true });
  for (const f of SCHEMAGEN_FILES) cpSync(join(schemagenDir, f), join(work, f));
  writeFileSync(join(work, 'boilerplate.go.txt'), '// Generated for the threadcast chart checks.\n');
}

/**
 * After a version change in schemagen/go.mod: generates the OpenAPI package in a scratch copy
 * (go.mod may change), runs `go mod tidy` there, and writes go.mod and go.sum back.
 */
export async function tidySchemagen() {
  await checkGo();
  const work = join(cacheDir(), `tidy-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  try {
    copySchemagen(work);
    const env = goEnv({ GOFLAGS: '-mod=mod -buildvcs=false' });
    await mustExec('openapi-gen', 'go', openapiGenArgs(), { cwd: work, env });
    await mustExec('go mod tidy', 'go', ['mod', 'tidy'], { cwd: work, env });
    for (const f of ['go.mod', 'go.sum']) cpSync(join(work, f), join(schemagenDir, f));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The JSON schemas, in kubeconform's layout: <dir>/v<k8s version>-standalone-strict/<kind>-...json.
 * Generated by openapi-gen and controller-gen (tools pinned in schemagen/go.mod) and schemagen.
 */
export async function ensureSchemas() {
  const version = kubernetesVersion();
  const dir = join(cacheDir(), `schemas-${schemagenKey()}`);
  const { built } = await buildOnce(dir, async (tmp) => {
    await checkGo();
    const work = join(tmp, 'src');
    copySchemagen(work);
    const env = goEnv();
    await Promise.all([
      mustExec('openapi-gen', 'go', openapiGenArgs(), { cwd: work, env }),
      mustExec(
        'controller-gen',
        'go',
        ['tool', 'controller-gen', 'crd:crdVersions=v1', `paths=${CRD_PACKAGE}`, 'output:crd:dir=crds'],
        { cwd: work, env },
      ),
    ]);
    const out = join(tmp, `v${version}-standalone-strict`);
    await mustExec('schemagen', 'go', ['run', '.', `-out=${out}`, '-crds=crds'], { cwd: work, env });
    rmSync(work, { recursive: true, force: true });
  });
  return { dir, kubernetesVersion: version, built };
}

/** Every tool the checks need, built where missing (in parallel: Go shares one build cache). */
export async function ensureTools() {
  const [helm, kubeconform, schemas, promcheck] = await Promise.all([
    ensureGoTool(HELM),
    ensureGoTool(KUBECONFORM),
    ensureSchemas(),
    ensurePromcheck(),
  ]);
  return {
    helm: helm.path,
    kubeconform: kubeconform.path,
    schemaDir: schemas.dir,
    kubernetesVersion: schemas.kubernetesVersion,
    promcheck: promcheck.path,
    built: [
      helm.built && 'helm',
      kubeconform.built && 'kubeconform',
      schemas.built && 'schemas',
      promcheck.built && 'promcheck',
    ].filter(Boolean),
  };
}
