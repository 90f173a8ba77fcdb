// Serves the built demo page: node tools/scripts/serve-web.mjs [--port 8000] [--ingest-port 8080]
// [--gateway-port 8090]. Prints `web http://localhost:<port>` once listening. Used by the browser
// test; `npm start` serves the page in-process with the same module.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serveStatic } from './lib/static-server.mjs';
import { repoRoot } from './lib/proc.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    'ingest-port': { type: 'string', default: '8080' },
    'gateway-port': { type: 'string', default: '8090' },
  },
});
const root = join(repoRoot, 'apps', 'web', 'dist');
if (!existsSync(join(root, 'index.html'))) {
  process.stderr.write(`no ${root}/index.html: build it first (npx nx run @threadcast/web:build)\n`);
  process.exit(1);
}
const ports = [values.port, values['ingest-port'], values['gateway-port']].map(Number);
if (ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) {
  process.stderr.write(`ports must be integers 0-65535, got ${JSON.stringify(values)}\n`);
  process.exit(2);
}
const [port, ingestPort, gatewayPort] = ports;
const server = await serveStatic({ root, port, ingestPort, gatewayPort });
process.stdout.write(`web http://localhost:${server.port}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
