// `npm run dlq -- <command>`: bundles tools/dlq (esbuild, well under a second) and runs it on the
// pinned Node. Without KAFKA_BROKERS it talks to the broker `npm start` keeps in .data/kafka.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { nodeBundle } from '../../scripts/lib/node-bundle.mjs';
import { savedPorts } from '../../scripts/lib/dev-kafka.mjs';
import { childEnv, exitStatus, repoRoot } from '../../scripts/lib/proc.mjs';

const here = join(repoRoot, 'tools', 'dlq');
const outfile = join(here, 'dist', 'main.js');
await build(nodeBundle({ entryPoints: [join(here, 'src', 'main.ts')], outfile }));

const extra = {};
if (!process.env.KAFKA_BROKERS) {
  const saved = savedPorts(join(repoRoot, '.data', 'kafka'));
  if (saved) extra.KAFKA_BROKERS = `127.0.0.1:${saved.port}`;
}
const child = spawn(process.execPath, [outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: childEnv(extra),
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(exitStatus(code, signal)));
