// `npm run jaeger -- <command>`: the local Jaeger by hand.
//   fetch                                   build the pinned Jaeger once and print the binary's path
//   start [--ui-port N] [--otlp-http-port N] [--otlp-grpc-port N] [--data DIR]
//                                           run it in the foreground until Ctrl-C; ports default to
//                                           Jaeger's usual ones (16686, 4318, 4317) when free
//   version                                 print the pinned Jaeger module version
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JAEGER_VERSION, ensureJaeger, jaegerEnv, startJaeger } from './jaeger.mjs';
import { repoRoot } from '../scripts/lib/proc.mjs';

const USAGE =
  'usage: node tools/jaeger/cli.mjs fetch | start [--ui-port N] [--otlp-http-port N] ' +
  '[--otlp-grpc-port N] [--data DIR] | version';
const log = (msg) => process.stderr.write(`[jaeger] ${msg}\n`);

function port(flag, value) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0 && n < 65536)) throw new Error(`${flag}: not a port number: ${value}`);
  return n;
}

async function start(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'ui-port': { type: 'string' },
      'otlp-http-port': { type: 'string' },
      'otlp-grpc-port': { type: 'string' },
      data: { type: 'string' },
    },
  });
  const ports = Object.fromEntries(
    [
      ['ui', port('--ui-port', values['ui-port'])],
      ['otlpHttp', port('--otlp-http-port', values['otlp-http-port'])],
      ['otlpGrpc', port('--otlp-grpc-port', values['otlp-grpc-port'])],
    ].filter(([, p]) => p !== undefined),
  );
  const dataDir = values.data ? resolve(values.data) : join(repoRoot, '.data', 'jaeger');

  // Ctrl-C during the build or the start: abort it; after: stop Jaeger.
  const abort = new AbortController();
  let jaeger;
  let stopping = false;
  const onSignal = async () => {
    if (stopping) return;
    stopping = true;
    if (!jaeger) return abort.abort();
    log('stopping...');
    await jaeger.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  jaeger = await startJaeger({ dataDir, ports, preferDefaultPorts: true, log, signal: abort.signal });
  if (stopping) {
    await jaeger.stop();
    return;
  }
  jaeger.child.once('exit', (code, signal) => {
    if (stopping) return;
    log(`Jaeger exited unexpectedly (${signal ?? `code ${code}`}); see ${jaeger.logFile}`);
    process.exit(1);
  });
  const env = Object.entries(jaegerEnv(jaeger))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(
    `Jaeger ${JAEGER_VERSION} running (traces in memory)\n` +
      `  UI and query API  ${jaeger.uiUrl}\n` +
      `  OTLP/HTTP         ${jaeger.otlpHttpEndpoint}   OTLP/gRPC ${jaeger.otlpGrpcEndpoint}\n` +
      `  for services and tests: ${env}\n` +
      `  log ${jaeger.logFile}\nCtrl-C to stop\n`,
  );
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'fetch') process.stdout.write(`${await ensureJaeger({ log })}\n`);
  else if (command === 'start') await start(rest);
  else if (command === 'version') process.stdout.write(`${JAEGER_VERSION}\n`);
  else {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = command && !['help', '-h', '--help'].includes(command) ? 2 : 0;
  }
} catch (e) {
  process.stderr.write(`[jaeger] ${e.message}\n`);
  process.exit(1);
}
