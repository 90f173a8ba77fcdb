// Embedded Apache Kafka (KRaft, single node) for local runs and tests.
//
// The broker jars come from Maven Central through Maven (pom.xml beside this file) into a cache
// outside git; a second start reuses the cache. Nothing here depends on the project's build, so
// it runs before `npm run build` and from CI's fresh clone alike.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestPki } from './test-pki.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Pinned broker version; keep in step with pom.xml's kafka.version. */
export const KAFKA_VERSION = readFileSync(join(here, 'pom.xml'), 'utf8').match(
  /<kafka\.version>([^<]+)<\/kafka\.version>/,
)[1];

export function cacheDir() {
  return resolve(process.env.THREADCAST_CACHE_DIR || join(homedir(), '.cache', 'threadcast'));
}

function log(msg) {
  if (process.env.THREADCAST_KAFKA_QUIET !== '1') process.stderr.write(`[kafka] ${msg}\n`);
}

/** Downloads the broker jars once; returns the folder that holds them. */
export function ensureKafkaJars() {
  const libs = join(cacheDir(), `kafka-${KAFKA_VERSION}`, 'libs');
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  const tmp = `${libs}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(libs), { recursive: true });
  log(`fetching Apache Kafka ${KAFKA_VERSION} from Maven Central into ${libs}`);
  const mvn = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(here, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${tmp}`,
      '-DincludeScope=runtime',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (mvn.error) throw new Error(`cannot run mvn (is Maven installed?): ${mvn.error.message}`);
  if (mvn.status !== 0) throw new Error(`mvn dependency:copy-dependencies failed (exit ${mvn.status})`);
  writeFileSync(join(tmp, '.complete'), `${KAFKA_VERSION}\n`);
  rmSync(libs, { recursive: true, force: true });
  renameSync(tmp, libs);
  return libs;
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * The client listeners a broker may have besides PLAINTEXT (which stays: the readiness probe, the
 * inter-broker listener and tests' admin use it), each with its security protocol.
 * MTLS is an SSL listener that requires a client certificate signed by the test CA.
 */
export const EXTRA_LISTENERS = {
  SSL: 'SSL',
  MTLS: 'SSL',
  SASL_SSL: 'SASL_SSL',
  SASL_PLAINTEXT: 'SASL_PLAINTEXT',
};

const SCRAM_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

/** Listener lines for `security` (see startKafka); empty without it. */
function securityProperties(listeners, pki) {
  if (listeners.length === 0) return [];
  const lines = [];
  if (pki) {
    // PEM stores (Kafka 2.7+): the key, its certificate and the CA in one file; the CA as trust.
    lines.push(
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${pki.brokerKeystore}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${pki.caFile}`,
    );
  }
  if (listeners.includes('MTLS')) lines.push('listener.name.mtls.ssl.client.auth=required');
  for (const name of listeners.filter((l) => l.startsWith('SASL_'))) {
    const prefix = `listener.name.${name.toLowerCase()}`;
    lines.push(
      `${prefix}.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512`,
      `${prefix}.scram-sha-256.sasl.jaas.config=${SCRAM_MODULE}`,
      `${prefix}.scram-sha-512.sasl.jaas.config=${SCRAM_MODULE}`,
    );
  }
  return lines;
}

/**
 * One node's server.properties. A single node (`voters` of one) keeps one replica of everything;
 * in a cluster every node is a combined broker+controller voter, internal topics get
 * min(3, nodes) replicas and topics default to min.insync.replicas 2 once there are 3 replicas.
 */
function serverProperties({
  nodeId = 1,
  port,
  controllerPort,
  extraPorts = {},
  dataDir,
  voters,
  listeners = [],
  pki,
}) {
  const extra = listeners.map((name) => `${name}://127.0.0.1:${extraPorts[name]}`);
  const protocols = listeners.map((name) => `${name}:${EXTRA_LISTENERS[name]}`);
  const quorum = voters ?? [{ id: nodeId, controllerPort }];
  const rf = Math.min(3, quorum.length);
  const minIsr = rf >= 3 ? 2 : 1;
  const cluster =
    quorum.length > 1
      ? [
          // Never elect a replica that missed acknowledged writes (Kafka's default, stated).
          'unclean.leader.election.enable=false',
          `default.replication.factor=${rf}`,
          `min.insync.replicas=${minIsr}`,
          // A dead node loses its leaderships after this long without a heartbeat (Kafka: 9 s).
          `broker.session.timeout.ms=${process.env.KAFKA_BROKER_SESSION_TIMEOUT_MS || 9000}`,
          `broker.heartbeat.interval.ms=${process.env.KAFKA_BROKER_HEARTBEAT_INTERVAL_MS || 2000}`,
        ]
      : [];
  return [
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${quorum.map((v) => `${v.id}@127.0.0.1:${v.controllerPort}`).join(',')}`,
    ['listeners=PLAINTEXT://127.0.0.1:' + port, ...extra, `CONTROLLER://127.0.0.1:${controllerPort}`].join(
      ',',
    ),
    ['advertised.listeners=PLAINTEXT://127.0.0.1:' + port, ...extra].join(','),
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    ['listener.security.protocol.map=PLAINTEXT:PLAINTEXT', ...protocols, 'CONTROLLER:PLAINTEXT'].join(','),
    ...securityProperties(listeners, pki),
    `log.dirs=${join(dataDir, 'logs')}`,
    // Internal topics: one replica per node, up to 3.
    `offsets.topic.replication.factor=${rf}`,
    'offsets.topic.num.partitions=6',
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `share.coordinator.state.topic.replication.factor=${rf}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    ...cluster,
    // Topics are provisioned explicitly (libs/kafka); a typo must not create one.
    'auto.create.topics.enable=false',
    // Rebalances in tests and `npm start` should not wait for stragglers.
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    // Kafka's defaults, stated: on this 2-core machine 2 network / 4 I/O threads measured the same
    // CPU per comment and no better latency (pipeline 500/s, docs/benchmarks.md), and 1 / 2 was
    // slower in a bare-relay test. What is sized for the box is the heap (below). A cluster runs
    // three JVMs on the same cores: startKafkaCluster gives each fewer threads and a smaller heap.
    `num.network.threads=${process.env.KAFKA_NUM_NETWORK_THREADS || (quorum.length > 1 ? 2 : 3)}`,
    `num.io.threads=${process.env.KAFKA_NUM_IO_THREADS || (quorum.length > 1 ? 2 : 8)}`,
    `num.replica.fetchers=${process.env.KAFKA_NUM_REPLICA_FETCHERS || 1}`,
    '',
  ].join('\n');
}

function log4jConfig(dataDir) {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${join(dataDir, 'server.log')}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.kafka.name = kafka',
    'logger.kafka.level = INFO',
    'logger.state.name = state.change.logger',
    'logger.state.level = WARN',
    '',
  ].join('\n');
}

/** Heap of a single node; each node of a cluster gets CLUSTER_NODE_HEAP (three share the box). */
const SINGLE_NODE_HEAP = '-Xms256m -Xmx768m';
const CLUSTER_NODE_HEAP = '-Xms128m -Xmx320m -XX:ParallelGCThreads=1 -XX:ConcGCThreads=1';

function java(libs, mainClass, args, options) {
  const heap = process.env.KAFKA_HEAP_OPTS || options.heap || SINGLE_NODE_HEAP;
  return spawn(
    'java',
    [
      ...heap.split(/\s+/).filter(Boolean),
      // Kafka's own start script's GC settings (kafka-run-class.sh): short G1 pauses.
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${options.log4j}`,
      '-cp',
      `${libs}/*`,
      mainClass,
      ...args,
    ],
    options.spawn,
  );
}

function runToEnd(child) {
  return new Promise((res) => {
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    child.on('exit', (code) => res({ code, out }));
  });
}

/**
 * Sends a Kafka Metadata v4 request and resolves with the number of live brokers it lists.
 * Hand-rolled (30 lines) so that this tool needs nothing from node_modules.
 */
export function metadataBrokerCount(host, port, timeoutMs = 2000) {
  return new Promise((res, rej) => {
    const clientId = Buffer.from('threadcast-probe');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
    let o = 0;
    o = body.writeInt16BE(3, o); // api key: Metadata
    o = body.writeInt16BE(4, o); // version 4 (oldest that Kafka 4 still serves)
    o = body.writeInt32BE(1, o); // correlation id
    o = body.writeInt16BE(clientId.length, o);
    o += clientId.copy(body, o);
    o = body.writeInt32BE(0, o); // topics: empty array (no topic metadata)
    body.writeInt8(0, o); // allow_auto_topic_creation: false
    const frame = Buffer.alloc(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    body.copy(frame, 4);

    const sock = connect({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      rej(new Error('metadata request timed out'));
    }, timeoutMs);
    sock.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    sock.on('connect', () => sock.write(frame));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      clearTimeout(timer);
      sock.destroy();
      // size, correlation id, throttle_time_ms, brokers array length
      res(buf.readInt32BE(12));
    });
  });
}

export async function waitForBroker(host, port, { timeoutMs = 90_000, child } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`broker exited with code ${child.exitCode} before it was ready`);
    }
    try {
      if ((await metadataBrokerCount(host, port)) > 0) return;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `broker on ${host}:${port} not ready after ${timeoutMs} ms (${lastError?.message ?? 'no broker registered'})`,
  );
}

/**
 * Starts a single-node KRaft broker+controller. A broker that exits before it is ready (seen once
 * on a loaded CI machine, with nothing in server.log) is started once more; the error of the last
 * attempt names what the JVM printed and the end of server.log.
 *
 * `security` adds client listeners beside PLAINTEXT (EXTRA_LISTENERS), all on 127.0.0.1 and free
 * ports: SSL (server certificate from a private CA made for the data folder, test-pki.mjs), MTLS
 * (SSL that requires a client certificate from that CA), SASL_SSL and SASL_PLAINTEXT (SCRAM-SHA-256
 * and -512, the users `scramUsers` created at format time, so on a fresh data folder only).
 * @param {{ dataDir: string, port?: number, fresh?: boolean, stdio?: 'inherit'|'ignore',
 *   security?: { listeners: Array<keyof typeof EXTRA_LISTENERS>, scramUsers?: Array<{ name: string, password: string }> } }} opts
 * @returns {Promise<{ brokers: string, port: number, listeners: Record<string, string>, pki?: ReturnType<typeof ensureTestPki>, pid: number, dataDir: string, stop(): Promise<void>, kill(signal?: string): void, child: import('node:child_process').ChildProcess }>}
 */
export async function startKafka(opts) {
  const attempts = 2;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startKafkaOnce(opts);
    } catch (e) {
      if (attempt >= attempts || !e.exitedEarly) throw e;
      log(`${e.message}\nstarting it again (attempt ${attempt + 1} of ${attempts})`);
    }
  }
}

function tailOf(file, from, lines) {
  if (!existsSync(file)) return '';
  const text = readFileSync(file).subarray(from).toString('utf8');
  return text.split('\n').slice(-lines).join('\n');
}

async function startKafkaOnce(opts) {
  const libs = ensureKafkaJars();
  const dataDir = resolve(opts.dataDir);
  if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  // Reuse the ports of an existing data folder: the quorum voters are part of its identity.
  const portsFile = join(dataDir, 'ports.json');
  let ports = existsSync(portsFile) ? JSON.parse(readFileSync(portsFile, 'utf8')) : null;
  if (!ports || (opts.port && ports.port !== opts.port)) {
    rmSync(join(dataDir, 'logs'), { recursive: true, force: true });
    ports = { port: opts.port ?? (await freePort()), controllerPort: await freePort() };
    writeFileSync(portsFile, JSON.stringify(ports));
  }
  const { listeners, pki, scramUsers } = await prepareSecurity(opts.security, dataDir, ports);
  if (listeners.length) writeFileSync(portsFile, JSON.stringify(ports));
  const handle = newNodeHandle({ port: ports.port, dataDir });
  /** host:port of each extra listener asked for in `security.listeners`. */
  handle.listeners = Object.fromEntries(listeners.map((l) => [l, `127.0.0.1:${ports.extraPorts[l]}`]));
  /** The test CA's files when a TLS listener was asked for (test-pki.mjs). */
  handle.pki = pki;
  // SCRAM credentials live in the KRaft metadata log; a fresh cluster gets them at format time
  // (KIP-900), before any listener serves.
  const formatArgs = [];
  for (const u of scramUsers) {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      formatArgs.push('--add-scram', `${mechanism}=[name=${u.name},password=${u.password}]`);
    }
  }
  await launchNode(handle, {
    libs,
    properties: serverProperties({ ...ports, dataDir, listeners, pki }),
    formatArgs,
    stdio: opts.stdio,
  });
  return handle;
}

/** The handle of one node: its child (and pid) change each time it is launched. */
function newNodeHandle({ port, dataDir, id = 1 }) {
  const handle = {
    id,
    brokers: `127.0.0.1:${port}`,
    port,
    pid: undefined,
    dataDir,
    child: undefined,
    kill(signal = 'SIGKILL') {
      const { child } = handle;
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stop() {
      return handle.child ? stopChild(handle.child) : Promise.resolve();
    },
  };
  return handle;
}

/**
 * Writes the node's configs, formats its storage on a first start (with `clusterId`, the same for
 * every node of a cluster), runs the JVM and waits until it serves metadata.
 */
async function launchNode(handle, { libs, properties, clusterId, heap, stdio, formatArgs = [] }) {
  const { dataDir } = handle;
  mkdirSync(dataDir, { recursive: true });
  const props = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j2.properties');
  writeFileSync(props, properties);
  writeFileSync(log4j, log4jConfig(dataDir));

  if (!existsSync(join(dataDir, 'logs', 'meta.properties'))) {
    const id = clusterId ?? randomBytes(16).toString('base64url').slice(0, 22);
    // `--cluster-id=` form: a base64url id may begin with '-', which `-t <id>` would read as an option.
    const args = ['format', `--cluster-id=${id}`, '-c', props, '--ignore-formatted', ...formatArgs];
    const fmt = await runToEnd(
      java(libs, 'kafka.tools.StorageTool', args, {
        log4j,
        heap,
        spawn: { stdio: ['ignore', 'pipe', 'pipe'] },
      }),
    );
    if (fmt.code !== 0) throw new Error(`kafka storage format failed:\n${fmt.out}`);
  }

  const stdoutLog = join(dataDir, 'stdout.log');
  const serverLog = join(dataDir, 'server.log');
  const stdoutFrom = existsSync(stdoutLog) ? statSync(stdoutLog).size : 0;
  const serverFrom = existsSync(serverLog) ? statSync(serverLog).size : 0;
  const out = openSync(stdoutLog, 'a');
  const child = java(libs, 'kafka.Kafka', [props], {
    log4j,
    heap,
    spawn: {
      stdio: ['ignore', stdio === 'inherit' ? 'inherit' : out, stdio === 'inherit' ? 'inherit' : out],
    },
  });
  closeSync(out);
  handle.child = child;
  handle.pid = child.pid;
  const name = handle.id === 1 && !clusterId ? 'broker' : `broker ${handle.id}`;
  log(`${name} starting on ${handle.brokers} (pid ${child.pid}, data ${dataDir})`);
  try {
    await waitForBroker('127.0.0.1', handle.port, { child });
  } catch (e) {
    const exitedEarly = child.exitCode !== null;
    await handle.stop();
    const error = new Error(
      `${e.message}\n--- JVM output (${stdoutLog}) ---\n${tailOf(stdoutLog, stdoutFrom, 20)}` +
        `\n--- server.log, this start (tail) ---\n${tailOf(serverLog, serverFrom, 30)}`,
    );
    error.exitedEarly = exitedEarly;
    throw error;
  }
  log(`${name} ready on ${handle.brokers}`);
}

/**
 * The layout of a cluster kept in `dataDir` (cluster.json: its id and each node's ports), created
 * on first use. Created with an exclusive link, so processes starting nodes of the same cluster at
 * once agree on one layout.
 */
export async function clusterLayout(dataDir, brokers) {
  const file = join(dataDir, 'cluster.json');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const nodes = [];
    for (let id = 1; id <= brokers; id++) {
      nodes.push({ id, port: await freePort(), controllerPort: await freePort() });
    }
    const clusterId = randomBytes(16).toString('base64url').slice(0, 22);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ clusterId, nodes }));
    try {
      linkSync(tmp, file);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  const layout = JSON.parse(readFileSync(file, 'utf8'));
  if (layout.nodes.length !== brokers) {
    throw new Error(
      `${dataDir} holds a cluster of ${layout.nodes.length} brokers, not ${brokers}: use --brokers ` +
        `${layout.nodes.length}, or delete the folder to start over`,
    );
  }
  return layout;
}

/**
 * A node of a KRaft cluster kept in `dataDir` (node k's data in `dataDir/node-k`), not started:
 * `start()` launches it (again: same ports, same data) and resolves once it serves metadata;
 * `kill(signal)` (SIGKILL by default, a crash) and `stop()` (SIGTERM, then SIGKILL) end it.
 * Every node is a combined broker+controller voter, so a cluster of 3 serves with any one down.
 */
export function clusterNode({ dataDir, layout, id, stdio }) {
  const me = layout.nodes.find((n) => n.id === id);
  if (!me) throw new Error(`no node ${id} in a cluster of ${layout.nodes.length}`);
  const nodeDir = join(resolve(dataDir), `node-${id}`);
  const handle = newNodeHandle({ port: me.port, dataDir: nodeDir, id });
  const voters = layout.nodes.map((n) => ({ id: n.id, controllerPort: n.controllerPort }));
  handle.start = async () => {
    const libs = ensureKafkaJars();
    const launch = {
      libs,
      properties: serverProperties({ nodeId: id, ...me, dataDir: nodeDir, voters }),
      clusterId: layout.clusterId,
      heap: CLUSTER_NODE_HEAP,
      stdio,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await launchNode(handle, launch);
      } catch (e) {
        if (attempt >= 2 || !e.exitedEarly) throw e;
        log(`${e.message}\nstarting it again (attempt ${attempt + 1} of 2)`);
      }
    }
  };
  return handle;
}

/**
 * Starts a KRaft cluster of `brokers` combined broker+controller nodes (same jars, same cluster id,
 * each node its own ports and data folder under `dataDir`), all at once (a voter waits for a
 * quorum), and resolves once every node serves metadata. `nodes[i]` can be killed, stopped and
 * started again; `brokers` is the bootstrap list.
 * @param {{ dataDir: string, brokers: number, fresh?: boolean, stdio?: 'inherit'|'ignore' }} opts
 */
export async function startKafkaCluster(opts) {
  if (!(Number.isInteger(opts.brokers) && opts.brokers >= 1 && opts.brokers <= 9)) {
    throw new Error(`brokers: a whole number from 1 to 9, not ${opts.brokers}`);
  }
  const dataDir = resolve(opts.dataDir);
  if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
  ensureKafkaJars();
  const layout = await clusterLayout(dataDir, opts.brokers);
  const nodes = layout.nodes.map((n) => clusterNode({ dataDir, layout, id: n.id, stdio: opts.stdio }));
  const started = await Promise.allSettled(nodes.map((n) => n.start()));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw failed.reason;
  }
  return {
    brokers: nodes.map((n) => n.brokers).join(','),
    dataDir,
    nodes,
    stop: () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined),
  };
}

async function prepareSecurity(security, dataDir, ports) {
  const listeners = [...new Set(security?.listeners ?? [])];
  for (const l of listeners) {
    if (!(l in EXTRA_LISTENERS)) {
      throw new Error(`security.listeners: unknown listener ${l} (one of ${Object.keys(EXTRA_LISTENERS)})`);
    }
    ports.extraPorts ??= {};
    ports.extraPorts[l] ??= await freePort();
  }
  const scramUsers = security?.scramUsers ?? [];
  for (const u of scramUsers) {
    // The format tool's syntax has no quoting: keep names and passwords to safe characters.
    if (!/^[\w.-]+$/.test(u.name) || !/^[\w.-]+$/.test(u.password)) {
      throw new Error(`security.scramUsers: name and password must match [A-Za-z0-9_.-]+ (${u.name})`);
    }
  }
  const pki = listeners.some((l) => EXTRA_LISTENERS[l] !== 'SASL_PLAINTEXT')
    ? ensureTestPki(join(dataDir, 'pki'))
    : undefined;
  return { listeners, pki, scramUsers };
}

export function stopChild(child, graceMs = 20_000) {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}
