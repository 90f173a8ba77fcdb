/**
 * Syscall counts of a process over a window, from the kernel's tracepoints (`perf stat -e
 * syscalls:...  -p <pid>`): how many writes a delivery costs is what bounds the gateway, and
 * counting them does not slow it down the way strace would. Needs Linux `perf` with tracepoint
 * access (root, or perf_event_paranoid <= -1); without it the run says so and goes on.
 */
import { spawn, spawnSync } from 'node:child_process';

export const SYSCALL_EVENTS = {
  all: 'raw_syscalls:sys_enter',
  write: 'syscalls:sys_enter_write',
  writev: 'syscalls:sys_enter_writev',
  read: 'syscalls:sys_enter_read',
  epoll: 'syscalls:sys_enter_epoll_pwait',
} as const;

export type SyscallCounts = Record<keyof typeof SYSCALL_EVENTS, number>;

export interface SyscallCounter {
  stop(): Promise<SyscallCounts | undefined>;
}

/** Undefined (and why) when perf cannot count tracepoints here. */
export function syscallCountingProblem(): string | undefined {
  const r = spawnSync('perf', ['stat', '-x', ',', '-e', Object.values(SYSCALL_EVENTS).join(','), 'true'], {
    encoding: 'utf8',
  });
  if (r.error) return `perf is not available (${r.error.message})`;
  if (r.status !== 0) return `perf stat cannot count syscall tracepoints: ${r.stderr.trim().split('\n')[0]}`;
  return undefined;
}

export function countSyscalls(pid: number): SyscallCounter {
  const child = spawn(
    'perf',
    ['stat', '-x', ',', '-e', Object.values(SYSCALL_EVENTS).join(','), '-p', String(pid)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    async stop() {
      child.kill('SIGINT');
      await done;
      return parsePerfCsv(err);
    },
  };
}

/** `perf stat -x ,` output: `<count>,<unit>,<event>,...` per line. */
export function parsePerfCsv(text: string): SyscallCounts | undefined {
  const byEvent = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.split(',');
    if (f.length < 3) continue;
    const n = Number(f[0]);
    if (Number.isFinite(n)) byEvent.set(f[2]!, n);
  }
  const out = {} as SyscallCounts;
  for (const [k, event] of Object.entries(SYSCALL_EVENTS) as [keyof SyscallCounts, string][]) {
    const n = byEvent.get(event);
    if (n === undefined) return undefined;
    out[k] = n;
  }
  return out;
}
