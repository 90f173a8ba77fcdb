// A throwaway broker with TLS and SASL listeners for integration tests that run in another
// process (Jest suites in CommonJS cannot import kafka.mjs):
//   node tools/kafka/secure-broker.mjs '<startKafka options as JSON>'
// Starts the broker (startKafka with `security`, a fresh data folder), prints one JSON line
// { brokers, listeners, pki, pid } once it is ready, and stops it when stdin closes (the test's
// end, or the test process dying) or on SIGTERM/SIGINT; the data folder is removed then.
import { rmSync } from 'node:fs';
import { startKafka } from './kafka.mjs';

const opts = JSON.parse(process.argv[2] ?? '{}');
if (!opts.dataDir) {
  process.stderr.write('usage: node tools/kafka/secure-broker.mjs \'{"dataDir":"...","security":{...}}\'\n');
  process.exit(2);
}
let broker;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await broker?.stop();
  rmSync(opts.dataDir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.stdin.on('end', () => void stop(0));
process.stdin.resume();
process.on('exit', () => broker?.kill('SIGKILL'));

try {
  broker = await startKafka({ ...opts, fresh: true });
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  await stop(1);
}
if (!stopping) {
  const { brokers, listeners, pki, pid } = broker;
  process.stdout.write(`${JSON.stringify({ brokers, listeners, pki, pid })}\n`);
  broker.child.once('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`broker exited unexpectedly (${signal ?? `code ${code}`})\n`);
    void stop(1);
  });
}
