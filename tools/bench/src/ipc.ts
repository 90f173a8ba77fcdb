/**
 * Request/reply over a child process's IPC channel: the runner drives each load generator with
 * commands and the generator answers each one, or sends events (progress) on its own.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
interface Event {
  event: string;
  data: unknown;
}

export interface Worker {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  call<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  onEvent(handler: (event: string, data: unknown) => void): void;
  /** Asks nicely (the `exit` command), then SIGKILLs after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startWorker(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  execArgv: string[] = [],
): Worker {
  const child = fork(entry, [], {
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--expose-gc', ...execArgv],
  });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const handlers: ((event: string, data: unknown) => void)[] = [];
  let exited: string | undefined;
  child.on('message', (m: Reply | Event) => {
    if (typeof m !== 'object' || m === null || 'probe' in m) return;
    if ('event' in m) {
      for (const h of handlers) h(m.event, m.data);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = `${name} exited (${signal ?? `code ${code}`})`;
    for (const p of pending.values()) p.reject(new Error(exited));
    pending.clear();
  });
  return {
    name,
    pid: child.pid!,
    child,
    call<T>(cmd: string, args?: unknown, timeoutMs = 600_000) {
      if (exited) return Promise.reject(new Error(exited));
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: no answer to ${cmd} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, cmd, args } satisfies Request);
      });
    },
    onEvent(handler) {
      handlers.push(handler);
    },
    async stop(graceMs = 5000) {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.send({ id: 0, cmd: 'exit', args: undefined } satisfies Request);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The child side: answers the runner's commands with the handlers; `exit` ends the process. */
export function serveCommands(handlers: Record<string, (args: never) => unknown>): void {
  if (!process.send) throw new Error('a load generator runs as a child of the bench runner (IPC)');
  process.on('message', (m: Request) => {
    // Not ours: the probe (probe.cjs) answers messages of its own on the same channel.
    if (typeof m?.cmd !== 'string') return;
    if (m.cmd === 'exit') process.exit(0);
    const handler = handlers[m.cmd];
    const answer = (r: Reply) => process.send!(r);
    if (!handler) return answer({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
    Promise.resolve()
      .then(() => handler(m.args as never))
      .then(
        (result) => answer({ id: m.id, ok: true, result }),
        (e: unknown) =>
          answer({ id: m.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
      );
  });
  // The runner gone means the run is over.
  process.on('disconnect', () => process.exit(0));
  // Alive until told to exit, even where the probe (probe.cjs) unref'd the channel first.
  process.channel?.ref();
}

export function emitEvent(event: string, data: unknown): void {
  process.send?.({ event, data } satisfies Event);
}
