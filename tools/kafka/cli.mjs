// `npm run kafka -- <command>`: manage the embedded developer broker by hand.
//   fetch                         download the broker jars (once) and print their folder
//   start [--port N] [--data DIR] run a broker in the foreground until Ctrl-C
//                                 (default data: .data/kafka, the one `npm start` uses)
//   version                       print the pinned Apache Kafka version
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KAFKA_VERSION, ensureKafkaJars } from './kafka.mjs';
import { startDevKafka } from '../scripts/lib/dev-kafka.mjs';
import { repoRoot } from '../scripts/lib/proc.mjs';

const USAGE = 'usage: node tools/kafka/cli.mjs fetch | start [--port N] [--data DIR] | version';

async function start(argv) {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, data: { type: 'string' } },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`--port: not a port number: ${values.port}`);
  }
  const dataDir = values.data ? resolve(values.data) : join(repoRoot, '.data', 'kafka');
  const log = (msg) => process.stderr.write(`[kafka] ${msg}\n`);

  // Ctrl-C may come while the JVM is still starting: remember it and stop once we have a handle.
  let kafka;
  let stopping = false;
  const stop = async () => {
    if (stopping || !kafka) return;
    stopping = true;
    log('stopping...');
    await kafka.stop();
    log('stopped');
    process.exit(0);
  };
  const onSignal = () => {
    if (!kafka) stopping = 'pending';
    else void stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  kafka = await startDevKafka({ dataDir, port, log });
  if (stopping === 'pending') {
    stopping = false;
    return stop();
  }
  kafka.child.once('exit', (code, signal) => {
    if (stopping) return;
    log(`broker exited unexpectedly (${signal ?? `code ${code}`}); see ${join(dataDir, 'server.log')}`);
    process.exit(1);
  });
  process.stdout.write(
    `Kafka ${KAFKA_VERSION} running: KAFKA_BROKERS=${kafka.brokers}\n` +
      `data ${dataDir}, log ${join(dataDir, 'server.log')}\nCtrl-C to stop\n`,
  );
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'fetch') process.stdout.write(`${ensureKafkaJars()}\n`);
  else if (command === 'start') await start(rest);
  else if (command === 'version') process.stdout.write(`${KAFKA_VERSION}\n`);
  else {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = command && !['help', '-h', '--help'].includes(command) ? 2 : 0;
  }
} catch (e) {
  process.stderr.write(`[kafka] ${e.message}\n`);
  process.exit(1);
}
