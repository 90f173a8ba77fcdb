// `npm start`: the whole pipeline on this machine.
//   1. build the apps (nx, cached), 2. Kafka: the cluster in KAFKA_BROKERS, else the embedded
//   broker kept in .data/kafka (`--brokers 3`: a 3-node KRaft cluster kept in .data/kafka-3, its
//   topics with replication factor min(3, N) and min.insync.replicas 2), 3. provision topics (apps/topics, one-shot), 4. run ingest,
//   enrich, route and gateway with readable, prefixed logs, 5. wait for their /readyz, serve the
//   demo page (apps/web/dist, WEB_PORT 8000; ingest gets INGEST_CORS_ORIGINS and
//   INGEST_ALLOW_ANONYMOUS, the gateway GATEWAY_ALLOWED_ORIGINS for it) and print
//   where everything is. Ctrl-C stops the services first, then the broker, and exits 0.
//
// Auth: the gateway gets GATEWAY_DEV_AUTH=true (tokens signed with the development secret, demo
// tokens for the page's moderator view) unless GATEWAY_JWT_SECRET or GATEWAY_JWT_JWKS_URL is set.
//
// Tracing (decided by lib/tracing-plan.mjs, which says "tracing: ..." first thing): a local Jaeger
// (tools/jaeger, built once, traces in memory) on 16686 (UI and query API) and 4318 (OTLP/HTTP)
// when free, and the services export to it (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER=otlp).
// Built: it starts before the services. Not built yet (a first start): its ports are chosen up
// front, the services get its endpoint and start at once, and it is built at low priority in the
// background and started on those ports; spans until then are dropped, and the output says when
// traces begin. An OTEL_EXPORTER_OTLP_ENDPOINT already set is used instead. `--no-tracing`,
// THREADCAST_TRACING=off or OTEL_SDK_DISABLED=true: no Jaeger, and the services get
// OTEL_SDK_DISABLED=true.
//
// Per-service ops ports: each service reads OPS_PORT (defaults 9101..9104, set in the apps).
// One OPS_PORT cannot serve four processes, so here it is taken per service from
// INGEST_OPS_PORT, ENRICH_OPS_PORT, ROUTE_OPS_PORT, GATEWAY_OPS_PORT.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORTS, JAEGER_VERSION, choosePorts, jaegerBuilt, startJaeger } from '../jaeger/jaeger.mjs';
import { startDevKafka, startDevKafkaCluster } from './lib/dev-kafka.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { tracingFailedLine, tracingPlan, tracingReadyLine } from './lib/tracing-plan.mjs';
import { createFormatter, useColour } from './lib/log-format.mjs';
import { childEnv, exitStatus, repoRoot, run, signalChild, terminate } from './lib/proc.mjs';

const SERVICES = [
  { name: 'ingest', opsDefault: 9101, colour: 36 },
  { name: 'enrich', opsDefault: 9102, colour: 35 },
  { name: 'route', opsDefault: 9103, colour: 34 },
  { name: 'gateway', opsDefault: 9104, colour: 32 },
];
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const WIDTH = 7; // longest prefix name: "gateway"
const SUPERVISED = 'THREADCAST_START_SUPERVISED';

const colour = useColour(process.stdout);
const fmt = (name, c) => createFormatter({ name, width: WIDTH, colour: colour ? c : null });
const sayLine = fmt('start', 1);
const say = (msg) => process.stdout.write(`${sayLine(msg)}\n`);
const appMain = (name) => join(repoRoot, 'apps', name, 'dist', 'main.js');

// --- Relay -------------------------------------------------------------------------------------
// Ctrl-C in a terminal signals the whole foreground process group at once: the JVM and every
// service would stop together, with the broker gone while services still flush and commit. So
// the real work runs in a detached child (its own process group, with everything it starts),
// and this process only relays signals to it. The IPC channel lets the child notice if we die.
function relay() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [SUPERVISED]: '1' },
  });
  const forward = (signal) => signalChild(child, signal);
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));
  process.on('SIGHUP', () => forward('SIGTERM')); // terminal closed: the child has none
  child.on('error', (e) => {
    process.stderr.write(`cannot start ${process.execPath}: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(exitStatus(code, signal)));
}

// --- Supervisor --------------------------------------------------------------------------------
let stopping = false;
let kafka; // broker handle when we started it
let kafkaStarting; // its start promise, so a shutdown during start still stops it
let oneShot; // the running build/topics child
let jaeger; // Jaeger handle when we started it
let jaegerStarting; // its start promise (a first start builds it: minutes)
let jaegerPorts; // the ports it takes, chosen before the services start
let web; // the demo page's static server
const jaegerAbort = new AbortController(); // stops a Jaeger build or start on shutdown
const services = new Map(); // name -> child

async function shutdown(reason, code) {
  if (stopping) return; // terminal and npm both deliver Ctrl-C; one shutdown is enough
  stopping = true;
  say(reason);
  await terminate(oneShot, STOP_GRACE_MS);
  await web?.close();
  const live = [...services].filter(([, c]) => c.exitCode === null && c.signalCode === null);
  if (live.length) say(`stopping ${live.map(([name]) => name).join(', ')}...`);
  await Promise.all(
    live.map(async ([name, c]) => {
      await terminate(c, STOP_GRACE_MS);
      if (c.signalCode === 'SIGKILL') say(`${name} ignored SIGTERM for ${STOP_GRACE_MS / 1000} s: killed`);
    }),
  );
  const broker = kafka ?? (await kafkaStarting?.catch(() => null));
  if (broker) {
    say('stopping Kafka...');
    await broker.stop();
  }
  // Last: the services flush their spans on the way out.
  jaegerAbort.abort();
  const traces = jaeger ?? (await jaegerStarting?.catch(() => null));
  if (traces) {
    say('stopping Jaeger...');
    await traces.stop();
  }
  say(code === 0 ? 'stopped' : `stopped (exit ${code})`);
  process.exit(code);
}

/** Pipes a child's output through the pino formatter, line by line. */
function pipeLogs(child, name, c) {
  const format = fmt(name, c);
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    createInterface({ input: from, crlfDelay: Infinity }).on('line', (l) => to.write(`${format(l)}\n`));
  }
}

async function build() {
  say('building apps (nx run-many -t build --projects=tag:type:app)...');
  const out = [];
  const status = await run(
    'nx',
    ['run-many', '-t', 'build', '--projects=tag:type:app', '--outputStyle=static'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      onSpawn: (c) => {
        oneShot = c;
        c.stdout.on('data', (d) => out.push(d));
        c.stderr.on('data', (d) => out.push(d));
      },
    },
  );
  if (status !== 0 && !stopping) {
    process.stdout.write(Buffer.concat(out));
    await shutdown(`build failed (exit ${status})`, 1);
  }
}

/** `--brokers N` (or `--brokers=N`): how many embedded brokers; 1 when not given. */
function brokerCount(argv) {
  const i = argv.findIndex((a) => a === '--brokers' || a.startsWith('--brokers='));
  if (i < 0) return 1;
  const raw = argv[i].includes('=') ? argv[i].slice('--brokers='.length) : argv[i + 1];
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 1 && n <= 9)) {
    throw new Error(`--brokers: a whole number from 1 to 9, not ${raw}`);
  }
  return n;
}

async function connectKafka(brokerNodes) {
  if (process.env.KAFKA_BROKERS) {
    say(`using the Kafka cluster in KAFKA_BROKERS: ${process.env.KAFKA_BROKERS}`);
    if (brokerNodes > 1) say('--brokers is ignored: KAFKA_BROKERS names the cluster');
    return process.env.KAFKA_BROKERS;
  }
  const dataDir = join(repoRoot, '.data', brokerNodes > 1 ? `kafka-${brokerNodes}` : 'kafka');
  if (brokerNodes > 1) {
    say(
      `starting an embedded Kafka cluster of ${brokerNodes} brokers (data in ${relative(repoRoot, dataDir)})...`,
    );
    kafkaStarting = startDevKafkaCluster({ dataDir, brokers: brokerNodes, log: say });
  } else {
    say(`starting the embedded Kafka broker (data in ${relative(repoRoot, dataDir)})...`);
    kafkaStarting = startDevKafka({ dataDir, log: say });
  }
  try {
    kafka = await kafkaStarting;
  } catch (e) {
    await shutdown(`cannot start Kafka: ${e.message}`, 1);
    return null;
  }
  for (const node of kafka.nodes ?? [kafka]) {
    node.child.once('exit', (code, signal) => {
      const log = join(node.dataDir, 'server.log');
      void shutdown(`Kafka broker exited unexpectedly (${signal ?? `code ${code}`}); see ${log}`, 1);
    });
  }
  return kafka.brokers;
}

async function provisionTopics(env) {
  const main = appMain('topics');
  if (!existsSync(main)) {
    await shutdown(`${relative(repoRoot, main)} is missing: apps/topics must build (tag it type:app)`, 1);
    return;
  }
  say('provisioning topics...');
  const status = await run('node', [main], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    onSpawn: (c) => {
      oneShot = c;
      pipeLogs(c, 'topics', 90);
    },
  });
  if (status !== 0 && !stopping) await shutdown(`topic provisioning failed (exit ${status})`, 1);
}

// --- Tracing -----------------------------------------------------------------------------------
/** Chooses Jaeger's ports now and builds (first time) and starts it in the background. */
async function launchJaeger(plan) {
  const dataDir = join(repoRoot, '.data', 'jaeger');
  jaegerPorts = await choosePorts({}, { preferDefaults: true });
  say(
    `starting Jaeger ${JAEGER_VERSION} (traces in memory; log in ${relative(repoRoot, dataDir)}/jaeger.log)...`,
  );
  jaegerStarting = startJaeger({
    dataDir,
    ports: jaegerPorts,
    log: (msg) => say(`tracing: ${msg}`),
    signal: jaegerAbort.signal,
    lowPriorityBuild: plan.lowPriorityBuild,
  });
  jaegerStarting.catch(() => {}); // reported by connectJaeger or followJaeger
}

function watchJaeger() {
  jaeger.child.once('exit', (code, signal) => {
    // The pipeline does not need its trace backend: keep running, say so.
    if (!stopping) {
      say(
        `Jaeger exited (${signal ?? `code ${code}`}); see ${jaeger.logFile}. Services keep running without traces.`,
      );
    }
  });
}

/** Built Jaeger: wait for it before the services start (about a second). */
async function connectJaeger() {
  try {
    jaeger = await jaegerStarting;
  } catch (e) {
    if (!stopping) {
      await shutdown(
        `cannot start Jaeger: ${e.message}\nStart without tracing: npm start -- --no-tracing (or THREADCAST_TRACING=off)`,
        1,
      );
    }
    return;
  }
  watchJaeger();
}

/** Jaeger being built: the pipeline runs meanwhile; say when traces begin, or that they will not. */
function followJaeger(launchedAt) {
  jaegerStarting.then(
    (handle) => {
      jaeger = handle;
      if (stopping) return;
      watchJaeger();
      say(tracingReadyLine({ now: new Date(), builtInMs: Date.now() - launchedAt }));
      const [where, command] = traceHint(handle);
      say(`tracing: ${where}; ${command}`);
    },
    (e) => {
      if (!stopping) say(tracingFailedLine(e.message));
    },
  );
}

/** What the services get: where to export spans, or that tracing is off. */
function tracingEnv(mode) {
  if (mode === 'off') return { OTEL_SDK_DISABLED: 'true' };
  const env = { OTEL_TRACES_EXPORTER: 'otlp' };
  // The reserved port: for a Jaeger still being built too, which will listen there.
  if (mode !== 'external') env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${jaegerPorts.otlpHttp}`;
  // Jaeger takes traces only; metrics are Prometheus' (/metrics), logs go to stdout.
  if (!process.env.OTEL_METRICS_EXPORTER) env.OTEL_METRICS_EXPORTER = 'none';
  if (!process.env.OTEL_LOGS_EXPORTER) env.OTEL_LOGS_EXPORTER = 'none';
  return env;
}

/** Where the local Jaeger's traces are: its query API, and the trace command for it. */
function traceHint({ ports }) {
  const uiUrl = `http://localhost:${ports.ui}`;
  const url = ports.ui === DEFAULT_PORTS.ui ? '' : ` --url ${uiUrl}`;
  return [
    `${uiUrl} (Jaeger ${JAEGER_VERSION}, query API; OTLP/HTTP http://127.0.0.1:${ports.otlpHttp})`,
    `npm run trace -- <commentId>${url}`,
  ];
}

function tracingBanner(mode) {
  if (mode === 'off') return ['  traces   off (services run with OTEL_SDK_DISABLED=true)'];
  if (mode === 'external') {
    const query = process.env.JAEGER_QUERY_URL;
    return [
      `  traces   exported to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT} (from OTEL_EXPORTER_OTLP_ENDPOINT)`,
      ...(query ? [`           npm run trace -- <commentId>   (queries ${query})`] : []),
    ];
  }
  if (!jaeger) {
    return [
      `  traces   pending: Jaeger is being built in the background ("tracing: on" says when traces begin);`,
      `           then http://localhost:${jaegerPorts.ui} (query API), npm run trace -- <commentId>`,
    ];
  }
  const [where, command] = traceHint(jaeger);
  return [`  traces   ${where}`, `           ${command}`];
}

function startService(s, env) {
  const main = appMain(s.name);
  const child = spawn('node', [main], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  services.set(s.name, child);
  pipeLogs(child, s.name, s.colour);
  child.on('error', (e) => void shutdown(`cannot start ${s.name}: ${e.message}`, 1));
  child.on('exit', (code, signal) => {
    if (!stopping) void shutdown(`${s.name} exited unexpectedly (${signal ?? `code ${code}`})`, 1);
  });
}

function isReady(port) {
  return new Promise((res) => {
    // agent: false -> no keep-alive socket that would hold the service's server open on exit.
    const req = get({ host: '127.0.0.1', port, path: '/readyz', agent: false, timeout: 2000 }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => res(false));
  });
}

async function waitReady(list) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let pending = list;
  while (pending.length && !stopping && Date.now() < deadline) {
    const ready = await Promise.all(pending.map((s) => isReady(s.opsPort)));
    pending = pending.filter((_, i) => !ready[i]);
    if (pending.length) await new Promise((r) => setTimeout(r, 500));
  }
  return pending;
}

const ingestPort = () => process.env.INGEST_PORT || '8080';
const gatewayPort = () => process.env.GATEWAY_PORT || '8090';
const webPort = () => Number(process.env.WEB_PORT || '8000');

function banner(list, brokers, mode) {
  const ingest = ingestPort();
  const gateway = gatewayPort();
  const ops = list.map((s) => `${s.name} :${s.opsPort}`).join('  ');
  const where = kafka ? `embedded, data in ${relative(repoRoot, kafka.dataDir)}` : 'from KAFKA_BROKERS';
  const rule = '-'.repeat(72);
  const lines = [
    rule,
    'threadcast is running',
    `  web      http://localhost:${web.port}   <- open it in two windows`,
    `  ingest   http://localhost:${ingest}`,
    `  gateway  ws://localhost:${gateway}/ws`,
    `  ops      ${ops}  (/healthz /readyz /metrics)`,
    `  kafka    ${brokers} (${where})`,
    ...tracingBanner(mode),
    'Ctrl-C to stop',
    rule,
  ];
  process.stdout.write(`${lines.map((l) => (colour ? `\x1b[1m${l}\x1b[0m` : l)).join('\n')}\n`);
}

async function supervise() {
  delete process.env[SUPERVISED];
  process.stdout.on('error', () => {}); // e.g. `npm start | head`: keep going, stop cleanly
  process.on('SIGINT', () => void shutdown('SIGINT: stopping', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM: stopping', 0));
  process.on('disconnect', () => void shutdown('launcher went away: stopping', 1));
  process.channel?.unref();

  if (process.env.OPS_PORT) {
    say('OPS_PORT is ignored: four services cannot share one port (use INGEST_OPS_PORT etc.)');
  }
  const list = SERVICES.map((s) => {
    const own = process.env[`${s.name.toUpperCase()}_OPS_PORT`];
    return { ...s, own, opsPort: Number(own || s.opsDefault) };
  });

  let brokerNodes;
  try {
    brokerNodes = brokerCount(process.argv.slice(2));
  } catch (e) {
    return shutdown(e.message, 2);
  }
  const plan = tracingPlan({
    argv: process.argv.slice(2),
    env: process.env,
    jaegerBuilt: jaegerBuilt(),
    jaegerVersion: JAEGER_VERSION,
  });
  const { mode } = plan;
  say(plan.line);
  const launchedAt = Date.now();
  if (plan.startJaeger) await launchJaeger(plan); // alongside the build
  await build();
  if (stopping) return;
  const missing = list.filter((s) => !existsSync(appMain(s.name))).map((s) => s.name);
  if (missing.length) return shutdown(`not built: ${missing.join(', ')} (no dist/main.js)`, 1);

  const brokers = await connectKafka(brokerNodes);
  if (stopping) return;
  if (plan.waitForJaeger) await connectJaeger();
  else if (plan.startJaeger) followJaeger(launchedAt);
  if (stopping) return;
  // The demo page (its own origin) posts to ingest: allow it, unless set already.
  const pageOrigins = `http://localhost:${webPort()},http://127.0.0.1:${webPort()}`;
  const env = childEnv({
    KAFKA_BROKERS: brokers,
    // Topics on the embedded cluster: a replica per broker, up to 3 (min.insync.replicas follows).
    ...(kafka?.nodes && !process.env.KAFKA_REPLICATION_FACTOR
      ? { KAFKA_REPLICATION_FACTOR: String(Math.min(3, kafka.nodes.length)) }
      : {}),
    INGEST_CORS_ORIGINS: process.env.INGEST_CORS_ORIGINS ?? pageOrigins,
    // The page's WebSocket comes from the same origin as its posts.
    GATEWAY_ALLOWED_ORIGINS: process.env.GATEWAY_ALLOWED_ORIGINS ?? pageOrigins,
    // The demo posts without API keys (it never acts as a moderator): local only. Real keys in
    // INGEST_API_KEYS are checked whatever this says.
    INGEST_ALLOW_ANONYMOUS: process.env.INGEST_ALLOW_ANONYMOUS ?? 'true',
    // The demo page's moderator view needs tokens: the gateway checks them with the published
    // development secret and mints demo ones, unless real keys were given. It refuses that
    // secret unless it listens on loopback only, so nobody beyond this machine can use it.
    ...(process.env.GATEWAY_JWT_SECRET || process.env.GATEWAY_JWT_JWKS_URL || process.env.GATEWAY_DEV_AUTH
      ? {}
      : { GATEWAY_DEV_AUTH: 'true', GATEWAY_HOST: process.env.GATEWAY_HOST ?? '127.0.0.1' }),
    ...tracingEnv(mode),
  });
  delete env.OPS_PORT;
  await provisionTopics(env);
  if (stopping) return;

  say(`starting ${list.map((s) => s.name).join(', ')}...`);
  for (const s of list) startService(s, s.own ? { ...env, OPS_PORT: s.own } : env);
  const notReady = await waitReady(list);
  if (stopping) return;
  if (notReady.length) {
    const which = notReady.map((s) => `${s.name} (http://127.0.0.1:${s.opsPort}/readyz)`).join(', ');
    return shutdown(`not ready after ${READY_TIMEOUT_MS / 1000} s: ${which}`, 1);
  }
  try {
    web = await serveStatic({
      root: join(repoRoot, 'apps', 'web', 'dist'),
      port: webPort(),
      ingestPort: ingestPort(),
      gatewayPort: gatewayPort(),
    });
  } catch (e) {
    return shutdown(`cannot serve the demo page on :${webPort()} (WEB_PORT): ${e.message}`, 1);
  }
  banner(list, brokers, mode);
}

if (process.env[SUPERVISED] === '1') {
  supervise().catch((e) => void shutdown(`error: ${e?.stack ?? e}`, 1));
} else {
  relay();
}
