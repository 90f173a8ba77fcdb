// Centrifugo v6, for the bench's side-by-side runs (`npm run bench -- fanout|connect --peer
// centrifugo`): built once from the Go module proxy with `go install` into a cache outside git
// (~/.cache/threadcast/centrifugo-<version>/bin/centrifugo) and reused afterwards. Nothing else
// (`npm start`, `npm test`) needs it. Like tools/kafka, nothing here depends on the project's
// build or node_modules.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../kafka/kafka.mjs';
import { runGo, tail } from '../scripts/lib/run-go.mjs';

/** Pinned Centrifugo version (the Go module's tag, without the v). */
export const CENTRIFUGO_VERSION = '6.9.1';
export const CENTRIFUGO_MODULE = 'github.com/centrifugal/centrifugo/v6';

function defaultLog(msg) {
  process.stderr.write(`[centrifugo] ${msg}\n`);
}

function versionDir() {
  return join(cacheDir(), `centrifugo-${CENTRIFUGO_VERSION}`);
}

/** Where the binary lives (whether or not it is built yet). */
export function centrifugoBinary() {
  return join(versionDir(), 'bin', 'centrifugo');
}

/** Written once `go install` succeeded: a binary without it is a build that was cut short. */
function completeMarker() {
  return join(versionDir(), '.complete');
}

/**
 * Builds the pinned Centrifugo once (several minutes cold on a small machine) and returns the
 * binary's path; later calls return at once.
 * @param {{ log?: (msg: string) => void, signal?: AbortSignal }} [opts]
 * @returns {Promise<string>}
 */
export async function ensureCentrifugo({ log = defaultLog, signal } = {}) {
  const bin = centrifugoBinary();
  if (existsSync(completeMarker()) && existsSync(bin)) return bin;
  const gobin = join(versionDir(), 'bin');
  mkdirSync(gobin, { recursive: true });
  rmSync(completeMarker(), { force: true });
  const started = Date.now();
  const target = `${CENTRIFUGO_MODULE}@v${CENTRIFUGO_VERSION}`;
  log(`building Centrifugo ${CENTRIFUGO_VERSION} (go install ${target}) into ${gobin} (once; minutes)...`);
  const progress = setInterval(
    () => log(`still building (${Math.round((Date.now() - started) / 1000)} s)...`),
    30_000,
  );
  // The version stamped as the project's release builds do (`centrifugo version`, its logs).
  const ldflags = `-X ${CENTRIFUGO_MODULE}/internal/build.Version=${CENTRIFUGO_VERSION}`;
  const result = await runGo(['install', `-ldflags=${ldflags}`, target], {
    what: 'Centrifugo',
    missingGo: 'cannot run `go`: Go is needed once to build Centrifugo',
    env: { ...process.env, GOBIN: gobin },
    signal,
  }).finally(() => clearInterval(progress));
  if (result.code !== 0 || !existsSync(bin)) {
    throw new Error(
      `go install ${target} failed (exit ${result.code}):\n${tail(result.out)}\n` +
        `(is the Go module proxy reachable? GOPROXY=${process.env.GOPROXY ?? 'default'})`,
    );
  }
  writeFileSync(completeMarker(), `${target}\n`);
  log(`built Centrifugo ${CENTRIFUGO_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}
