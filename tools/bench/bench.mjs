// `npm run bench -- <scenario> [options]` (`--help` lists them). Bundles the bench (src/, with
// esbuild, into dist/: the runner, the load generators and the baseline server), then runs it;
// the runner builds the app bundles first (nx, cached) unless --no-build.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { nodeBundle } from '../scripts/lib/node-bundle.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const distDir = join(here, 'dist');

await build(
  nodeBundle({
    entryPoints: {
      cli: join(here, 'src/cli.ts'),
      receiver: join(here, 'src/loadgen/receiver.ts'),
      injector: join(here, 'src/loadgen/injector.ts'),
      poster: join(here, 'src/loadgen/poster.ts'),
      'naive-server': join(here, 'src/baseline/naive-server.ts'),
    },
    outdir: distDir,
    sourcemap: 'linked',
  }),
);

/** The app bundles the scenarios start, built by nx (a cache hit when nothing changed). */
function buildApps() {
  const bin = join(repoRoot, 'node_modules', '.bin');
  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
  };
  const projects = ['gateway', 'ingest', 'enrich', 'route', 'topics']
    .map((a) => `@threadcast/${a}`)
    .join(',');
  process.stderr.write('[bench] building the app bundles (nx, cached)...\n');
  return new Promise((res, rej) => {
    const child = spawn(
      join(bin, 'nx'),
      ['run-many', '-t', 'build', '-p', projects, '--outputStyle=static'],
      {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    child.once('error', rej);
    child.once('exit', (code) => (code === 0 ? res() : rej(new Error(`nx build failed (exit ${code})`))));
  });
}

const { main } = createRequire(import.meta.url)(join(distDir, 'cli.js'));
process.exit(await main(process.argv.slice(2), repoRoot, distDir, buildApps));
