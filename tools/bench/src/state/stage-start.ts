/**
 * One measured start of a stage: spawned as every scenario starts it (startApp), timed until
 * its /readyz says ready (so restore included; polled every 200 ms), with its memory then and
 * after a full GC, and the machine's load meanwhile.
 */
import { BROKER } from '../cpu-per-comment';
import { startCpuWindow, type CpuWindow } from '../cpu-window';
import { processCpuSeconds, processMemory } from '../proc-stats';
import { startApp, type RunningApp } from '../services';

export type StageName = 'enrich' | 'route';

export interface StageStart {
  app: RunningApp;
  readySeconds: number;
  /** Kernel RSS when ready, and its peak so far (the restore's). */
  rssAtReady: number;
  peakRss: number;
  /** After a full GC (the probe's): what the state holds, not what the restore left to collect. */
  rssAfterGc: number;
  heapAfterGc: number;
  /** CPU seconds from spawn to ready. */
  cpuSeconds: number;
  load: CpuWindow;
}

/**
 * Where the stage keeps local state, given as the variable the stage reads. Today's stages keep
 * their state in memory only, so there is none to give: every start restores everything (warm =
 * cold). When a stage gets an on-disk store, return its variable here (e.g. ENRICH_STATE_DIR):
 * the scenario empties `dir` before the cold start and keeps it for the warm one.
 */
export function stateDirEnv(_stage: StageName, _dir: string): Record<string, string> {
  return {};
}

export async function startStage(opts: {
  repoRoot: string;
  stage: StageName;
  env: Record<string, string>;
  brokerPid: number | undefined;
  readyTimeoutMs: number;
  log(msg: string): void;
}): Promise<StageStart> {
  const window = startCpuWindow([{ name: BROKER, pid: opts.brokerPid }]);
  const t0 = performance.now();
  const app = await startApp(opts.repoRoot, opts.stage, opts.env, {
    readyTimeoutMs: opts.readyTimeoutMs,
    onRetry: opts.log,
  });
  const readySeconds = (performance.now() - t0) / 1000;
  try {
    const mem = processMemory(app.pid) ?? { rss: 0, peakRss: 0 };
    const cpuSeconds = processCpuSeconds(app.pid) ?? 0;
    const load = window.end();
    // The stage is part of this run: its CPU is not "other load".
    load.otherBusyCores = Math.max(0, load.otherBusyCores - cpuSeconds / load.wall);
    load.processes.push({
      name: opts.stage,
      pid: app.pid,
      cpu: cpuSeconds,
      cores: cpuSeconds / load.wall,
      rss: mem.rss,
      peakRss: mem.peakRss,
    });
    const gc = await app.probe.usage(true);
    return {
      app,
      readySeconds,
      rssAtReady: mem.rss,
      peakRss: mem.peakRss,
      rssAfterGc: gc.rss,
      heapAfterGc: gc.heapUsed,
      cpuSeconds,
      load,
    };
  } catch (e) {
    app.kill();
    throw e;
  }
}
