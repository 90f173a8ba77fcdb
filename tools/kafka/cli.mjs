// `npm run kafka -- <command>`: manage the embedded developer broker by hand.
//   fetch                         download the broker jars (once) and print their folder
//   start [--port N] [--data DIR] run a broker in the foreground until Ctrl-C
//                                 (default data: .data/kafka, the one `npm start` uses)
//   start --brokers N [--data DIR] a KRaft cluster of N broker+controller nodes instead
//                                 (default data: .data/kafka-N, `npm start -- --brokers N`'s)
//   start --brokers N --node K --data DIR
//                                 only node K of that cluster (tests start, kill and restart
//                                 nodes one by one; the others run in their own processes)
//   version                       print the pinned Apache Kafka version
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KAFKA_VERSION, clusterLayout, clusterNode, ensureKafkaJars } from './kafka.mjs';
import { startDevKafka, startDevKafkaCluster } from '../scripts/lib/dev-kafka.mjs';
import { repoRoot } from '../scripts/lib/proc.mjs';

const USAGE =
  'usage: node tools/kafka/cli.mjs fetch | start [--port N] [--brokers N [--node K]] [--data DIR] | version';

async function start(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      brokers: { type: 'string' },
      node: { type: 'string' },
    },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`--port: not a port number: ${values.port}`);
  }
  const brokers = values.brokers === undefined ? 1 : Number(values.brokers);
  if (!(Number.isInteger(brokers) && brokers >= 1 && brokers <= 9)) {
    throw new Error(`--brokers: a whole number from 1 to 9, not ${values.brokers}`);
  }
  const node = values.node === undefined ? undefined : Number(values.node);
  if (node !== undefined && !(Number.isInteger(node) && node >= 1 && node <= brokers)) {
    throw new Error(`--node: a node number from 1 to --brokers (${brokers}), not ${values.node}`);
  }
  if (brokers > 1 && port !== undefined) throw new Error('--port: only for a single broker');
  if (node !== undefined && (brokers === 1 || !values.data)) {
    throw new Error('--node: only with --brokers N (2 or more) and --data');
  }
  const dataDir = values.data
    ? resolve(values.data)
    : join(repoRoot, '.data', brokers > 1 ? `kafka-${brokers}` : 'kafka');
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

  if (node !== undefined) {
    const layout = await clusterLayout(dataDir, brokers);
    const handle = clusterNode({ dataDir, layout, id: node });
    kafka = handle;
    await handle.start();
  } else if (brokers > 1) {
    kafka = await startDevKafkaCluster({ dataDir, brokers, log });
  } else {
    kafka = await startDevKafka({ dataDir, port, log });
  }
  if (stopping === 'pending') {
    stopping = false;
    return stop();
  }
  // Any node that exits on its own ends the command (a test's kill, or a crash).
  for (const n of kafka.nodes ?? [kafka]) {
    n.child.once('exit', (code, signal) => {
      if (stopping) return;
      log(`broker exited unexpectedly (${signal ?? `code ${code}`}); see ${join(n.dataDir, 'server.log')}`);
      if (kafka.nodes) void kafka.stop().then(() => process.exit(1));
      else process.exit(1);
    });
  }
  const logs = (kafka.nodes ?? [kafka]).map((n) => join(n.dataDir, 'server.log'));
  process.stdout.write(
    `Kafka ${KAFKA_VERSION} running: KAFKA_BROKERS=${kafka.brokers}\n` +
      `data ${dataDir}, log ${logs.join(' ')}\nCtrl-C to stop\n`,
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
