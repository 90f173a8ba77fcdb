/**
 * The runner's side of probe.cjs, preloaded into every server under test: the server's own CPU
 * and memory accounting (after full GCs when asked) and V8 CPU profiles of exactly the measured
 * window, over the child's IPC channel.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { processCpuSeconds, processMemory } from './proc-stats';

export interface ServerUsage {
  /** CPU seconds (user + system) since the process started, by its own accounting. */
  cpu: number;
  /** The part of `cpu` spent in the kernel (syscalls). */
  system: number;
  rss: number;
  heapUsed: number;
}

/** A window's event-loop delay (monitorEventLoopDelay, 10 ms resolution) and GC pauses. */
export interface LoopStats {
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

export interface Probe {
  usage(gc?: boolean): Promise<ServerUsage>;
  /** Starts measuring event-loop delay and GC pauses; `loopStop` ends the window and returns them. */
  loopStart(): Promise<void>;
  /** Undefined for a server that is not a Node process (Centrifugo). */
  loopStop(): Promise<LoopStats | undefined>;
  profileStart(intervalUs?: number): Promise<void>;
  /** Stops the profiler and writes the .cpuprofile to `file`. */
  profileStop(file: string): Promise<string>;
}

/** Node flags that preload the probe. */
export function probeFlags(repoRoot: string): string[] {
  return ['--expose-gc', '--require', join(repoRoot, 'tools/bench/probe.cjs')];
}

type Answer = { probe: string; id: number; error?: string } & Partial<ServerUsage> & {
    file?: string;
    loop?: LoopStats;
  };

export function probeOf(child: ChildProcess, name: string): Probe {
  let next = 1;
  const waiting = new Map<number, (a: Answer) => void>();
  child.on('message', (m: Answer) => {
    if (typeof m !== 'object' || m === null || typeof m.probe !== 'string') return;
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null || !child.connected;
  const ask = (probe: string, extra: Record<string, unknown> = {}, timeoutMs = 30_000) =>
    new Promise<Answer>((resolve, reject) => {
      if (gone()) return reject(new Error(`${name} is not running`));
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${name}: no ${probe} answer within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (a) => {
        clearTimeout(timer);
        if (a.error) reject(new Error(`${name}: ${probe}: ${a.error}`));
        else resolve(a);
      });
      child.send({ probe, id, ...extra });
    });
  return {
    async usage(gc = false) {
      if (gone()) {
        // Gone (a fault run killed it): the kernel's last word is all there is.
        const pid = child.pid!;
        return {
          cpu: processCpuSeconds(pid) ?? 0,
          system: 0,
          rss: processMemory(pid)?.rss ?? 0,
          heapUsed: 0,
        };
      }
      const a = await ask('usage', { gc });
      return { cpu: a.cpu!, system: a.system!, rss: a.rss!, heapUsed: a.heapUsed! };
    },
    async loopStart() {
      await ask('loop-start');
    },
    async loopStop() {
      // Gone (a fault run killed it): nothing to report for its window.
      if (gone()) return undefined;
      return (await ask('loop-stop')).loop!;
    },
    async profileStart(intervalUs = 1000) {
      await ask('profile-start', { intervalUs });
    },
    async profileStop(file) {
      const a = await ask('profile-stop', { file }, 120_000);
      return a.file!;
    },
  };
}
