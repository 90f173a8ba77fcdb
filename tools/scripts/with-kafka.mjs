// Usage: node tools/scripts/with-kafka.mjs <command> [args...]
//
// Runs the command with KAFKA_BROKERS set. If the caller already has a cluster (KAFKA_BROKERS in
// the environment) it is used as is; otherwise a throwaway single-node broker is started on a
// free port with a fresh data folder (tests must not see a previous run's topics), and it is
// stopped whatever happens: normal exit, failure, Ctrl-C or SIGTERM. Exits with the command's
// status.
import { join } from 'node:path';
import { startKafka } from '../kafka/kafka.mjs';
import { childEnv, exitStatus, repoRoot, run, signalChild } from './lib/proc.mjs';

const log = (msg) => process.stderr.write(`[with-kafka] ${msg}\n`);

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  log('usage: node tools/scripts/with-kafka.mjs <command> [args...]');
  process.exit(2);
}

let kafka; // broker handle, once started by us
let child; // the command
let signalled; // first SIGINT/SIGTERM received

function onSignal(signal) {
  // `npm run` forwards the terminal's Ctrl-C on top of the one the whole process group gets:
  // act on the first only.
  if (signalled) return;
  signalled = signal;
  log(`${signal}: stopping`);
  signalChild(child, signal);
  // A command that ignores the signal must not keep the broker alive forever.
  setTimeout(() => signalChild(child, 'SIGKILL'), 15_000).unref();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Last resort if we die on an unexpected error: never leave a JVM behind (its data is
// throwaway, so a hard kill loses nothing).
process.on('exit', () => kafka?.kill('SIGKILL'));

function runCommand(brokers) {
  return run(cmd, args, {
    env: childEnv({ KAFKA_BROKERS: brokers }),
    onSpawn: (c) => (child = c),
  });
}

async function main() {
  if (process.env.KAFKA_BROKERS) return runCommand(process.env.KAFKA_BROKERS);

  const dataDir = join(repoRoot, '.data', 'test-kafka');
  try {
    kafka = await startKafka({ dataDir, fresh: true });
  } catch (e) {
    if (signalled) return exitStatus(null, signalled);
    log(`cannot start the embedded Kafka broker: ${e.message}`);
    return 1;
  }
  try {
    // A signal that arrived while the broker was starting: skip the command.
    if (signalled) return exitStatus(null, signalled);
    log(`KAFKA_BROKERS=${kafka.brokers} (broker log: ${join(dataDir, 'server.log')})`);
    return await runCommand(kafka.brokers);
  } finally {
    await kafka.stop();
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
