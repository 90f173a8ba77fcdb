// Small process helpers shared by the developer scripts (plain Node ESM: they run before any
// build, under the system Node as well as the pinned Node 24 from node_modules/.bin).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Environment for child processes. node_modules/.bin goes first on PATH so that `nx`, `jest`
 * and above all `node` resolve to the pinned versions (the `node` package puts Node 24 there),
 * exactly as under `npm run`, even when a script is started with the system `node`.
 */
export function childEnv(extra = {}) {
  const bin = join(repoRoot, 'node_modules', '.bin');
  const path = process.env.PATH ?? '';
  return {
    ...process.env,
    PATH: path.split(delimiter)[0] === bin ? path : `${bin}${delimiter}${path}`,
    // One-shot CI-style runs: no background Nx daemon left behind, no Nx Cloud calls.
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    // kafkajs 2.2.4 schedules a negative setTimeout, which Node 24 reports on every process;
    // harmless (Node uses 1 ms), so silence that one warning, not warnings in general.
    NODE_OPTIONS: withOption(process.env.NODE_OPTIONS, '--disable-warning=TimeoutNegativeWarning'),
    ...extra,
  };
}

/** Shell-style exit status: the code, or 128 + signal number when the child was killed. */
export function exitStatus(code, signal) {
  if (code !== null && code !== undefined) return code;
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Runs a command to completion and resolves with its exit status. Spawn errors (command not
 * found) resolve as 127 like a shell, so callers have one failure path.
 * The child is exposed through `onSpawn` so that signal handlers can forward to it.
 */
export function run(cmd, args, { env = childEnv(), stdio = 'inherit', cwd = repoRoot, onSpawn } = {}) {
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd, env, stdio, shell: false });
    onSpawn?.(child);
    child.once('error', (e) => {
      process.stderr.write(`cannot run ${cmd}: ${e.message}\n`);
      res(e.code === 'ENOENT' ? 127 : 1);
    });
    child.once('exit', (code, signal) => res(exitStatus(code, signal)));
  });
}

/** Sends `signal` to a child that is still running (no-op otherwise). */
export function signalChild(child, signal) {
  if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function terminate(child, graceMs) {
  return new Promise((res) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return res();
    const timer = setTimeout(() => signalChild(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}

/** Adds `option` to a NODE_OPTIONS value once, however deep the scripts nest. */
function withOption(current, option) {
  return current?.split(/\s+/).includes(option) ? current : [current, option].filter(Boolean).join(' ');
}
