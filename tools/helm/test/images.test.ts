// The images, checked without a Docker engine: every deployable app has a `docker` target that
// builds deploy/docker/Dockerfile for it; the Dockerfile's runtime stage copies only that app's
// bundle and production dependencies, runs tini and a non-root user, and has no HEALTHCHECK; and
// the bundle the image would copy (built by `npm test`'s build step) needs no npm package beyond
// the app's production dependencies, which is all the image installs.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './chart-tools';

const DOCKERFILE = 'deploy/docker/Dockerfile';

interface Pkg {
  name: string;
  main?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}
const readJson = (path: string) => JSON.parse(readFileSync(join(repoRoot, path), 'utf8'));

/** Workspace packages by name: apps, libs, tools. */
function workspace(): Map<string, { dir: string; pkg: Pkg }> {
  const out = new Map<string, { dir: string; pkg: Pkg }>();
  for (const top of ['apps', 'libs', 'tools']) {
    for (const dir of readdirSync(join(repoRoot, top))) {
      const file = join(top, dir, 'package.json');
      if (!existsSync(join(repoRoot, file))) continue;
      const pkg = readJson(file) as Pkg;
      out.set(pkg.name, { dir: join(top, dir), pkg });
    }
  }
  return out;
}

/** Apps that build to dist/main.js: the ones that ship as images. */
function deployableApps(): string[] {
  return [...workspace().values()]
    .filter(({ dir, pkg }) => dir.startsWith('apps/') && pkg.main === 'dist/main.js')
    .map(({ dir }) => dir.slice('apps/'.length))
    .sort();
}

/** npm packages `npm ci --omit=dev --workspace apps/<app>` installs directly: the app's and its libs' dependencies. */
function productionDependencies(app: string): Set<string> {
  const ws = workspace();
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (pkg: Pkg) => {
    if (seen.has(pkg.name)) return;
    seen.add(pkg.name);
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const local = ws.get(dep);
      if (local) visit(local.pkg);
      else out.add(dep);
    }
  };
  visit(readJson(`apps/${app}/package.json`));
  return out;
}

/** Instructions of a Dockerfile (continuation lines joined, comments dropped), per stage. */
function stages(text: string): { from: string; name?: string; lines: string[] }[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: { from: string; name?: string; lines: string[] }[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) out.push({ from: from[1] as string, name: from[2], lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

describe('images', () => {
  const dockerfile = readFileSync(join(repoRoot, DOCKERFILE), 'utf8');
  const all = stages(dockerfile);
  const runtime = all.at(-1) as { from: string; lines: string[] };

  it('are built for every deployable app by its Nx `docker` target', () => {
    const apps = deployableApps();
    expect(apps).toEqual(['enrich', 'gateway', 'ingest', 'route', 'topics']);
    const version = (readJson('package.json') as Pkg & { version: string }).version;
    for (const app of apps) {
      const pkg = readJson(`apps/${app}/package.json`) as Pkg;
      expect(pkg.scripts?.docker).toBe(
        `docker build -f ../../${DOCKERFILE} --build-arg APP=${app} -t threadcast/${app}:${version} ../..`,
      );
    }
  });

  it('start from the Node 24 slim image, the same Node release the tests run on', () => {
    const arg = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    const nodeVersion = (readJson('package.json') as Pkg).devDependencies?.node;
    expect(arg).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    expect(arg).toBe(`node:${nodeVersion}-${arg?.split('-')[1]}-slim`);
    for (const stage of all) expect(stage.from).toBe('${NODE_IMAGE}');
  });

  it('install production dependencies only, of the one app, from the lockfile', () => {
    const deps = all.find((s) => s.name === 'deps');
    const install = deps?.lines.find((l) => l.startsWith('RUN ') && l.includes('npm ci'));
    expect(install).toMatch(/npm ci --omit=dev --workspace "apps\/\$APP"/);
    const build = all.find((s) => s.name === 'build');
    expect(build?.lines).toContain('RUN npm run build --workspace "apps/$APP"');
  });

  it('copy into the runtime stage only that app’s bundle and its dependencies', () => {
    const copies = runtime.lines.filter((l) => /^(COPY|ADD)\s/i.test(l));
    expect(copies).toEqual([
      'COPY --from=deps /app/node_modules ./node_modules',
      'COPY --from=build /src/apps/${APP}/dist ./dist',
    ]);
  });

  it('run tini as PID 1 and Node as a non-root user, with no HEALTHCHECK', () => {
    expect(runtime.lines.some((l) => /apt-get install .*\btini\b/.test(l))).toBe(true);
    const user = runtime.lines.find((l) => l.startsWith('USER '));
    expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    const entrypoint = JSON.parse(runtime.lines.find((l) => l.startsWith('ENTRYPOINT '))?.slice(11) ?? '[]');
    expect(entrypoint.slice(0, 3)).toEqual(['/usr/bin/tini', '--', 'node']);
    expect(entrypoint.at(-1)).toBe('dist/main.js');
    expect(dockerfile).not.toMatch(/^\s*HEALTHCHECK/im);
    // Nothing at run time writes to the image (read-only root filesystem).
    expect(runtime.lines.filter((l) => /^VOLUME/i.test(l))).toEqual([]);
  });

  it('leave dependencies, bundles and git out of the build context', () => {
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.git', '**/node_modules', '**/dist']) expect(ignore).toContain(entry);
  });

  it.each(['enrich', 'gateway', 'ingest', 'route', 'topics'])(
    '%s: the bundle the image copies needs only its production dependencies',
    (app) => {
      const bundle = join(repoRoot, 'apps', app, 'dist/main.js');
      expect(existsSync(bundle)).toBe(true);
      const required = new Set(
        [...readFileSync(bundle, 'utf8').matchAll(/\brequire\("([^"./][^"]*)"\)/g)].map(
          (m) => m[1] as string,
        ),
      );
      const builtins = new Set(builtinModules);
      const packages = [...required]
        .filter((r) => !r.startsWith('node:') && !builtins.has(r))
        .map((r) => (r.startsWith('@') ? r.split('/').slice(0, 2).join('/') : (r.split('/')[0] as string)));
      expect(packages.length).toBeGreaterThan(0);
      // The project's libs are inlined, never required at run time (the image has none).
      expect(packages.filter((p) => p.startsWith('@threadcast/'))).toEqual([]);
      const prod = productionDependencies(app);
      expect(packages.filter((p) => !prod.has(p))).toEqual([]);
    },
  );
});
