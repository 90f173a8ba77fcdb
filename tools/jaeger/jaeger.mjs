// A local Jaeger v2 (the OpenTelemetry-Collector-based binary, OTLP-native) for `npm start` and
// the integration tests.
//
// The binary is built once from the Go module proxy into a cache outside git
// (~/.cache/threadcast/jaeger-<version>/bin/jaeger) and reused afterwards. `go install
// github.com/jaegertracing/jaeger/cmd/jaeger@<version>` is refused by Go because Jaeger's go.mod
// has a replace directive, so we do what it would do by hand: download the pinned module
// (`go mod download`) and `go build ./cmd/jaeger` inside it, where its go.mod and go.sum apply.
// Like tools/kafka, nothing here depends on the project's build or node_modules.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { cacheDir, freePort, stopChild } from '../kafka/kafka.mjs';
import { runGo, tail } from '../scripts/lib/run-go.mjs';

/** Pinned Jaeger module version (Go module tag; the v1.x tags carry the Jaeger v2 binary). */
export const JAEGER_VERSION = '1.76.0';
export const JAEGER_MODULE = 'github.com/jaegertracing/jaeger';

/** Ports Jaeger uses by convention; `npm start` takes them when free. */
export const DEFAULT_PORTS = Object.freeze({ ui: 16686, queryGrpc: 16685, otlpHttp: 4318, otlpGrpc: 4317 });

const READY_TIMEOUT_MS = 60_000;

function defaultLog(msg) {
  if (process.env.THREADCAST_JAEGER_QUIET !== '1') process.stderr.write(`[jaeger] ${msg}\n`);
}

/** Where the binary lives (whether or not it is built yet). */
export function jaegerBinary() {
  return join(cacheDir(), `jaeger-${JAEGER_VERSION}`, 'bin', 'jaeger');
}

/** Whether the pinned Jaeger is built (cached): then starting it takes about a second. */
export function jaegerBuilt() {
  return existsSync(jaegerBinary());
}

/** Tracing is off for `npm start` and the test wrappers when THREADCAST_TRACING=off (or false, 0). */
export function tracingDisabled(env = process.env) {
  return ['off', 'false', '0', 'no'].includes(String(env.THREADCAST_TRACING ?? '').toLowerCase());
}

const goBuild = (args, opts) =>
  runGo(args, {
    ...opts,
    what: 'Jaeger',
    missingGo:
      'cannot run `go`: Go 1.24+ is needed once to build Jaeger (see tools/jaeger/README.md); ' +
      'install it, or run without tracing (THREADCAST_TRACING=off, `npm start -- --no-tracing`)',
  });

/**
 * Builds the pinned Jaeger once (a few minutes cold: see tools/jaeger/README.md) and returns the
 * binary's path; later calls return at once. Safe to run from two processes at a time: each
 * builds to its own temporary file and renames it into place. lowPriority: build at nice 19
 * (`npm start` builds in the background while the pipeline runs).
 * @param {{ log?: (msg: string) => void, signal?: AbortSignal, lowPriority?: boolean }} [opts]
 */
export async function ensureJaeger({ log = defaultLog, signal, lowPriority = false } = {}) {
  const bin = jaegerBinary();
  if (existsSync(bin)) return bin;
  mkdirSync(dirname(bin), { recursive: true });
  const started = Date.now();
  log(`building Jaeger ${JAEGER_VERSION} from the Go module proxy into ${bin} (once; a few minutes)...`);

  const dl = await goBuild(['mod', 'download', '-json', `${JAEGER_MODULE}@v${JAEGER_VERSION}`], {
    signal,
    lowPriority,
  });
  let mod;
  try {
    mod = JSON.parse(dl.stdout);
  } catch {
    mod = null;
  }
  if (dl.code !== 0 || !mod?.Dir) {
    throw new Error(
      `go mod download ${JAEGER_MODULE}@v${JAEGER_VERSION} failed (exit ${dl.code}): ` +
        `${mod?.Error ?? tail(dl.out)}\n(is the Go module proxy reachable? GOPROXY=${process.env.GOPROXY ?? 'default'})`,
    );
  }

  const tmp = `${bin}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  const ldflags = `-s -w -X ${JAEGER_MODULE}/internal/version.latestVersion=v${JAEGER_VERSION}`;
  // `go build` is silent for minutes while it compiles; say now and then that it still works.
  const progress = setInterval(
    () => log(`still building (${Math.round((Date.now() - started) / 1000)} s)...`),
    30_000,
  );
  const build = await goBuild(
    ['build', '-trimpath', '-buildvcs=false', `-ldflags=${ldflags}`, '-o', tmp, './cmd/jaeger'],
    { cwd: mod.Dir, signal, lowPriority },
  ).finally(() => {
    clearInterval(progress);
    if (signal?.aborted) rmSync(tmp, { force: true });
  });
  if (build.code !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    throw new Error(
      `go build of Jaeger ${JAEGER_VERSION} failed (exit ${build.code}):\n${tail(build.out)}\n` +
        '(Jaeger needs Go >= 1.24.6; with an older Go set GOTOOLCHAIN=auto so Go fetches a newer toolchain)',
    );
  }
  renameSync(tmp, bin);
  log(`built Jaeger ${JAEGER_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}

export function portIsFree(port) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/**
 * Chooses Jaeger's ports: the given ones as they are, the others free ones; with
 * `preferDefaults`, Jaeger's usual ports (DEFAULT_PORTS) where they are free.
 */
export async function choosePorts(given = {}, { preferDefaults = false } = {}) {
  const ports = {};
  for (const [name, usual] of Object.entries(DEFAULT_PORTS)) {
    if (given[name] !== undefined) ports[name] = given[name];
    else if (preferDefaults && !Object.values(ports).includes(usual) && (await portIsFree(usual))) {
      ports[name] = usual;
    } else {
      let p;
      do p = await freePort();
      while (Object.values(ports).includes(p));
      ports[name] = p;
    }
  }
  return ports;
}

/**
 * Jaeger v2 configuration: OTLP in (gRPC and HTTP), in-memory storage, the query service (UI
 * and HTTP API) out. Everything on 127.0.0.1; Jaeger's own metrics off (they would take :8888).
 */
export function jaegerConfig({ ui, queryGrpc, otlpHttp, otlpGrpc }, { maxTraces = 100_000 } = {}) {
  return `# Written by tools/jaeger/jaeger.mjs; rewritten on every start.
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: info

extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: ${maxTraces}
  jaeger_query:
    storage:
      traces: memstore
    # On by default in v2: Jaeger would trace its own queries to localhost:4317 and, on
    # shutdown, wait for that exporter long after its receiver is gone.
    enable_tracing: false
    http:
      endpoint: 127.0.0.1:${ui}
    grpc:
      endpoint: 127.0.0.1:${queryGrpc}

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${otlpGrpc}
      http:
        endpoint: 127.0.0.1:${otlpHttp}

processors:
  batch:
    # Spans become searchable quickly; the services batch on their side anyway.
    timeout: 200ms

exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

async function answers(url, init) {
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.status === 200;
  } catch {
    return false;
  }
}

/**
 * Resolves once the query API answers and the OTLP/HTTP receiver takes an (empty) export.
 * The collector starts its extensions (the query service) before its receivers, so both count.
 */
export async function waitForJaeger(
  { queryUrl, otlpHttpEndpoint },
  { timeoutMs = READY_TIMEOUT_MS, child } = {},
) {
  const deadline = Date.now() + timeoutMs;
  const empty = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"resourceSpans":[]}',
  };
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`Jaeger exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready`);
    }
    const [query, otlp] = await Promise.all([
      answers(`${queryUrl}/api/services`),
      answers(`${otlpHttpEndpoint}/v1/traces`, empty),
    ]);
    if (query && otlp) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `Jaeger not ready after ${timeoutMs} ms (${queryUrl}/api/services, ${otlpHttpEndpoint}/v1/traces)`,
  );
}

/**
 * Starts Jaeger (building it first if needed) and resolves once it takes spans and answers
 * queries.
 * @param {{ dataDir?: string, ports?: Partial<typeof DEFAULT_PORTS>, preferDefaultPorts?: boolean,
 *   log?: (msg: string) => void, signal?: AbortSignal, stdio?: 'inherit'|'file',
 *   lowPriorityBuild?: boolean }} [opts]
 *   dataDir holds config.yaml and jaeger.log (traces are kept in memory); default: a folder in
 *   the cache. ports: fixed ports; the rest are free ones (or the defaults, with preferDefaultPorts).
 *   lowPriorityBuild: a build it needs first runs at nice 19 (ensureJaeger's lowPriority).
 * @returns {Promise<{ queryUrl: string, uiUrl: string, otlpHttpEndpoint: string,
 *   otlpGrpcEndpoint: string, ports: typeof DEFAULT_PORTS, pid: number, dataDir: string,
 *   logFile: string, child: import('node:child_process').ChildProcess,
 *   stop(): Promise<void>, kill(signal?: string): void }>}
 */
export async function startJaeger(opts = {}) {
  const log = opts.log ?? defaultLog;
  const bin = await ensureJaeger({ log, signal: opts.signal, lowPriority: opts.lowPriorityBuild });
  const dataDir = resolve(opts.dataDir ?? join(cacheDir(), `jaeger-${JAEGER_VERSION}`, 'run'));
  mkdirSync(dataDir, { recursive: true });
  const ports = await choosePorts(opts.ports, { preferDefaults: opts.preferDefaultPorts });
  for (const [name, port] of Object.entries(ports)) {
    if (!(await portIsFree(port))) throw new Error(`Jaeger ${name} port ${port} is in use`);
  }
  const config = join(dataDir, 'config.yaml');
  writeFileSync(config, jaegerConfig(ports));
  const logFile = join(dataDir, 'jaeger.log');
  const out = opts.stdio === 'inherit' ? 'inherit' : openSync(logFile, 'a');
  const child = spawn(bin, ['--config', config], { stdio: ['ignore', out, out] });
  const handle = {
    queryUrl: `http://127.0.0.1:${ports.ui}`,
    uiUrl: `http://localhost:${ports.ui}`,
    otlpHttpEndpoint: `http://127.0.0.1:${ports.otlpHttp}`,
    otlpGrpcEndpoint: `http://127.0.0.1:${ports.otlpGrpc}`,
    ports,
    pid: child.pid,
    dataDir,
    logFile,
    child,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stop() {
      return stopChild(child, 10_000);
    },
  };
  const spawned = new Promise((res, rej) => {
    child.once('spawn', res);
    child.once('error', rej);
  });
  try {
    await spawned;
    await waitForJaeger(handle, { child });
  } catch (e) {
    await handle.stop();
    const logTail = existsSync(logFile) ? tail(readFileSync(logFile, 'utf8'), 15) : '';
    throw new Error(`${e.message}${logTail ? `\n--- ${logFile} (tail) ---\n${logTail}` : ''}`);
  }
  log(
    `Jaeger ${JAEGER_VERSION} ready: query ${handle.queryUrl}, OTLP/HTTP ${handle.otlpHttpEndpoint} (pid ${child.pid})`,
  );
  return handle;
}

/** The environment a test or service needs to export to, and query, this Jaeger. */
export function jaegerEnv(handle) {
  return { JAEGER_QUERY_URL: handle.queryUrl, OTEL_EXPORTER_OTLP_ENDPOINT: handle.otlpHttpEndpoint };
}

/**
 * For test runs: when JAEGER_QUERY_URL is set, use the Jaeger it names (OTEL_EXPORTER_OTLP_ENDPOINT
 * must then be set too) and return null; when THREADCAST_TRACING=off, return null; otherwise
 * start a throwaway Jaeger on free ports and return its handle.
 */
export async function startJaegerUnlessConfigured({ dataDir, log = defaultLog, signal } = {}) {
  if (tracingDisabled()) return null;
  if (process.env.JAEGER_QUERY_URL) {
    if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
      throw new Error(
        'JAEGER_QUERY_URL is set but OTEL_EXPORTER_OTLP_ENDPOINT is not: set both (the OTLP/HTTP ' +
          'endpoint that feeds that Jaeger), or neither to have a Jaeger started for the run',
      );
    }
    return null;
  }
  return startJaeger({ dataDir, log, signal });
}
