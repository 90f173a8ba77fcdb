// Runs the Go toolchain for the tools built from the Go module proxy once and cached (Jaeger,
// Centrifugo): in its own process group, so that an abort stops `go` and the compilers it runs.
import { spawn } from 'node:child_process';
import { constants as osConstants, setPriority } from 'node:os';

/**
 * Runs `go` to its end; resolves { code, stdout, out } (out: stdout+stderr, for error messages).
 * lowPriority: the lowest CPU priority (nice 19), which the compilers `go` starts inherit, so that
 * a build in the background leaves the cores to whatever else runs.
 * @param {string[]} args
 * @param {{ what: string, missingGo: string, cwd?: string, env?: NodeJS.ProcessEnv, signal?: AbortSignal, lowPriority?: boolean }} opts
 *   what: what is built, for "<what> build interrupted"; missingGo: the error when `go` is not installed.
 * @returns {Promise<{ code: number, stdout: string, out: string }>}
 */
export function runGo(args, { what, missingGo, cwd, env, signal, lowPriority = false }) {
  return new Promise((res, rej) => {
    // Aborted between two steps (after `go mod download`): an abort event would never come.
    if (signal?.aborted) return rej(new Error(`${what} build interrupted`));
    const child = spawn('go', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (lowPriority && child.pid !== undefined) {
      try {
        setPriority(child.pid, osConstants.priority.PRIORITY_LOW);
      } catch {
        // not permitted here: the build just competes at normal priority
      }
    }
    let out = '';
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      out += d;
    });
    child.stderr.on('data', (d) => (out += d));
    const abort = () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (e) => {
      signal?.removeEventListener('abort', abort);
      rej(e.code === 'ENOENT' ? new Error(missingGo) : e);
    });
    child.once('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted) rej(new Error(`${what} build interrupted`));
      else res({ code: code ?? 128, stdout, out });
    });
  });
}

/** The last lines of a command's output, for an error message. */
export const tail = (text, lines = 25) => text.trimEnd().split('\n').slice(-lines).join('\n');
