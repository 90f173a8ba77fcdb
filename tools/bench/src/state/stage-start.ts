/**
 * One measured start of a stage: spawned as every scenario starts it (startApp), timed until
 * its /readyz says ready (so restore included; polled every 200 ms), with its memory then and
 * after a full GC, and the machine's load meanwhile.
 */
import { BROKER } from '../cpu-per-comment';
import { startCpuWindow, type CpuWindow } from '../cpu-window';
import { processCpuSeconds, processMemory } from '../proc-stats';
import { scrapeMetrics } from '../prom-text';
import { startApp, type RunningApp } from '../services';

export type StageName = 'enrich' | 'route';

export interface StageStart {
  app: RunningApp;
  readySeconds: number;
  /** Kernel RSS when ready, and its peak so far (the restore's). */
  rssAtReady: number;
  peakRss: number;
  /** Of rssAtReady, pages of mapped files (the stores' LMDB maps): page cache the kernel may drop. */
  rssFileAtReady: number;
  /** After a full GC (the probe's): what the state holds, not what the restore left to collect. */
  rssAfterGc: number;
  heapAfterGc: number;
  /** CPU seconds from spawn to ready. */
  cpuSeconds: number;
  /**
   * Changelog records its state stores read to be ready (threadcast_store_restored_records_total):
   * all of them cold, what was written after the checkpoint warm. null: the stage has no store.
   */
  restoredRecords: number | null;
  /** The same by store (enrich: `users` and `threads`, its global tables, and `comments`). */
  restoredByStore: Record<string, number>;
  load: CpuWindow;
}

/**
 * Where the stage keeps local state, given as the variable the stage reads: the scenario gives
 * each stage a new (empty) `dir` for its cold start and keeps it for the warm one. Both keep their
 * stores in STATE_DIR (libs/store: LMDB files and the changelog offsets they reflect): route its
 * `votes` store, enrich its `comments` store (the comment index) and its global `users` and
 * `threads` tables with their checkpoints.
 */
export function stateDirEnv(_stage: StageName, dir: string): Record<string, string> {
  return { STATE_DIR: dir };
}

export async function startStage(opts: {
  repoRoot: string;
  stage: StageName;
  env: Record<string, string>;
  brokerPid: number | undefined;
  readyTimeoutMs: number;
  /**
   * The partition store (threadcast_store_* `store` label) that must hold `partitions` before the
   * stage counts as ready (a lone pod: all of its input's). /readyz alone is not enough: it can
   * say ready between the group join and the start of the restore (run-stage's `joined` is set
   * before onAssigned has registered the partitions).
   */
  store?: { name: string; partitions: number };
  log(msg: string): void;
}): Promise<StageStart> {
  const window = startCpuWindow([{ name: BROKER, pid: opts.brokerPid }]);
  const t0 = performance.now();
  const app = await startApp(opts.repoRoot, opts.stage, opts.env, {
    readyTimeoutMs: opts.readyTimeoutMs,
    onRetry: opts.log,
  });
  try {
    if (opts.store !== undefined) {
      await storeOpen(app.opsPort, opts.store, t0 + opts.readyTimeoutMs - performance.now());
    }
    const readySeconds = (performance.now() - t0) / 1000;
    const mem = processMemory(app.pid) ?? { rss: 0, peakRss: 0, rssFile: 0 };
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
    const metrics = await scrapeMetrics(app.opsPort);
    // A store holding partitions has the gauge; its counter has no sample before its first record.
    const hasStore = metrics.some((m) => m.name === 'threadcast_store_partitions');
    const restored = metrics.filter((m) => m.name === 'threadcast_store_restored_records_total');
    const byStore: Record<string, number> = {};
    for (const m of restored)
      byStore[m.labels.store ?? '?'] = (byStore[m.labels.store ?? '?'] ?? 0) + m.value;
    return {
      app,
      readySeconds,
      rssAtReady: mem.rss,
      peakRss: mem.peakRss,
      rssFileAtReady: mem.rssFile,
      rssAfterGc: gc.rss,
      heapAfterGc: gc.heapUsed,
      cpuSeconds,
      restoredRecords: hasStore ? restored.reduce((n, m) => n + m.value, 0) : null,
      restoredByStore: byStore,
      load,
    };
  } catch (e) {
    app.kill();
    throw e;
  }
}

/** Polls /metrics (every 200 ms, as /readyz) until `store` holds its partitions, none restoring. */
async function storeOpen(
  opsPort: number,
  store: { name: string; partitions: number },
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metrics = await scrapeMetrics(opsPort);
    const sum = (name: string) =>
      metrics
        .filter((m) => m.name === name && m.labels.store === store.name)
        .reduce((n, m) => n + m.value, 0);
    if (
      sum('threadcast_store_partitions') >= store.partitions &&
      sum('threadcast_store_restoring_partitions') === 0
    )
      return;
    if (Date.now() > deadline) {
      throw new Error(
        `its ${store.name} store did not hold ${store.partitions} partitions within ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
