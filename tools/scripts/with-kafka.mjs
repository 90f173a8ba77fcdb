// Usage: node tools/scripts/with-kafka.mjs <command> [args...]
//
// Runs the command with KAFKA_BROKERS set. If the caller already has a cluster (KAFKA_BROKERS in
// the environment) it is used as is; otherwise a throwaway single-node broker is started on a
// free port with a fresh data folder (tests must not see a previous run's topics), and it is
// stopped whatever happens: normal exit, failure, Ctrl-C or SIGTERM. Exits with the command's
// status.
//
// The same for the trace backend: unless JAEGER_QUERY_URL (with OTEL_EXPORTER_OTLP_ENDPOINT) names
// one, or THREADCAST_TRACING=off, a throwaway Jaeger starts alongside the broker and the command
// gets JAEGER_QUERY_URL and OTEL_EXPORTER_OTLP_ENDPOINT.
import { join } from 'node:path';
import { jaegerEnv, startJaegerUnlessConfigured } from '../jaeger/jaeger.mjs';
import { startKafka } from '../kafka/kafka.mjs';
import { childEnv, exitStatus, repoRoot, run, signalChild } from './lib/proc.mjs';

const log = (msg) => process.stderr.write(`[with-kafka] ${msg}\n`);

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  log('usage: node tools/scripts/with-kafka.mjs <command> [args...]');
  process.exit(2);
}

let kafka; // broker handle, once started by us
let jaeger; // Jaeger handle, once started by us
const startAbort = new AbortController(); // a signal during a Jaeger build stops it
let child; // the command
let signalled; // first SIGINT/SIGTERM received

function onSignal(signal) {
  // `npm run` forwards the terminal's Ctrl-C on top of the one the whole process group gets:
  // act on the first only.
  if (signalled) return;
  signalled = signal;
  log(`${signal}: stopping`);
  startAbort.abort();
  signalChild(child, signal);
  // A command that ignores the signal must not keep the broker alive forever.
  setTimeout(() => signalChild(child, 'SIGKILL'), 15_000).unref();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Last resort if we die on an unexpected error: never leave a JVM behind (its data is
// throwaway, so a hard kill loses nothing).
process.on('exit', () => {
  kafka?.kill('SIGKILL');
  jaeger?.kill('SIGKILL');
});

function runCommand(brokers) {
  return run(cmd, args, {
    env: childEnv({ KAFKA_BROKERS: brokers, ...(jaeger ? jaegerEnv(jaeger) : {}) }),
    onSpawn: (c) => (child = c),
  });
}

async function startBackends() {
  const dataDir = join(repoRoot, '.data', 'test-kafka');
  const [k, j] = await Promise.allSettled([
    process.env.KAFKA_BROKERS ? null : startKafka({ dataDir, fresh: true }),
    startJaegerUnlessConfigured({
      dataDir: join(repoRoot, '.data', 'test-jaeger'),
      log: (msg) => log(`jaeger: ${msg}`),
      signal: startAbort.signal,
    }),
  ]);
  kafka = k.value ?? undefined;
  jaeger = j.value ?? undefined;
  const errors = [];
  if (k.status === 'rejected') errors.push(`cannot start the embedded Kafka broker: ${k.reason.message}`);
  if (j.status === 'rejected') {
    errors.push(
      `cannot start Jaeger: ${j.reason.message}\n(run without a trace backend: THREADCAST_TRACING=off)`,
    );
  }
  if (kafka) log(`KAFKA_BROKERS=${kafka.brokers} (broker log: ${join(dataDir, 'server.log')})`);
  if (jaeger)
    log(`JAEGER_QUERY_URL=${jaeger.queryUrl} OTEL_EXPORTER_OTLP_ENDPOINT=${jaeger.otlpHttpEndpoint}`);
  return errors;
}

async function main() {
  try {
    const errors = await startBackends();
    // A signal that arrived while the backends were starting: skip the command.
    if (signalled) return exitStatus(null, signalled);
    if (errors.length) {
      for (const e of errors) log(e);
      return 1;
    }
    return await runCommand(kafka?.brokers ?? process.env.KAFKA_BROKERS);
  } finally {
    await Promise.all([kafka?.stop(), jaeger?.stop()]);
  }
}

let status;
try {
  status = await main();
} catch (e) {
  log(e?.stack ?? String(e));
  status = 1;
}
process.exit(status);
