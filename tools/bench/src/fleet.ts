/**
 * The receiving load generators of a run: K child processes (loadgen/receiver), sockets dealt
 * round-robin over them, their answers added up.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { createHistogram, type Histogram } from './histogram';
import { startWorker, type Worker } from './ipc';
import type { ClientImpl } from './loadgen/client-socket';
import type { OpenArgs, OpenResult, ReceiverStats, StatsArgs } from './loadgen/receiver-protocol';
import { baseEnv } from './services';

export interface FleetOpen {
  attempted: number;
  subscribed: number;
  failures: Record<string, number>;
  connectLatency: Histogram;
  firstStart: number;
  lastDone: number;
  perClient: OpenResult[];
}

export interface FleetStats {
  sockets: number;
  open: number;
  arrived: number;
  duplicates: number;
  outOfOrder: number;
  closedByServer: Record<string, number>;
  controlErrors: Record<string, number>;
  windowArrived: number;
  windowBytes: number;
  firstArrival: number;
  lastArrival: number;
  latency: Histogram;
  acceptLatency: Histogram;
  expected: number;
  expectedArrived: number;
  socketsShort: number;
  unexpected: number;
  perClient: ReceiverStats[];
}

export interface Fleet {
  readonly workers: Worker[];
  open(
    args: Omit<OpenArgs, 'assign' | 'localAddress' | 'impl'> & { assign: number[] },
    onProgress?: (done: number) => void,
  ): Promise<FleetOpen>;
  reset(): Promise<void>;
  stats(args?: StatsArgs): Promise<FleetStats>;
  close(): Promise<void>;
  stop(): Promise<void>;
}

export function addCounts(
  into: Record<string, number>,
  from: Record<string, number>,
): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

export function startFleet(distDir: string, clients: number, impl: ClientImpl): Fleet {
  const subnet = randomInt(1, 255);
  const workers = Array.from({ length: clients }, (_, k) =>
    startWorker(`client-${k + 1}`, join(distDir, 'receiver.js'), baseEnv()),
  );
  const progress = new Array<number>(clients).fill(0);
  let onProgress: ((done: number) => void) | undefined;
  workers.forEach((w, k) =>
    w.onEvent((event, data) => {
      if (event !== 'progress') return;
      progress[k] = (data as { done: number }).done;
      onProgress?.(progress.reduce((a, b) => a + b, 0));
    }),
  );
  return {
    workers,
    async open(args, cb) {
      onProgress = cb;
      progress.fill(0);
      const results = await Promise.all(
        workers.map((w, k) =>
          w.call<OpenResult>('open', {
            ...args,
            impl,
            assign: args.assign.filter((_, i) => i % clients === k),
            rate: args.rate / clients,
            // One loopback source address per client process, new for every run: ephemeral
            // ports are per source address, and an earlier run's 10,000 sockets in TIME_WAIT on
            // the same address would make every connect() search for a free port.
            localAddress: `127.${subnet}.${1 + (k % 250)}.1`,
          } satisfies OpenArgs),
        ),
      );
      onProgress = undefined;
      const connectLatency = createHistogram();
      const failures: Record<string, number> = {};
      for (const r of results) {
        connectLatency.merge(r.connectLatency);
        addCounts(failures, r.failures);
      }
      return {
        attempted: results.reduce((a, r) => a + r.attempted, 0),
        subscribed: results.reduce((a, r) => a + r.subscribed, 0),
        failures,
        connectLatency,
        firstStart: Math.min(...results.filter((r) => r.firstStart > 0).map((r) => r.firstStart)),
        lastDone: Math.max(...results.map((r) => r.lastDone)),
        perClient: results,
      };
    },
    async reset() {
      await Promise.all(workers.map((w) => w.call('reset')));
    },
    async stats(args) {
      const all = await Promise.all(workers.map((w) => w.call<ReceiverStats>('stats', args ?? {})));
      const latency = createHistogram();
      const acceptLatency = createHistogram();
      const sum = (f: (s: ReceiverStats) => number) => all.reduce((a, s) => a + f(s), 0);
      for (const s of all) {
        latency.merge(s.window.latency);
        acceptLatency.merge(s.window.acceptLatency);
      }
      const firsts = all.map((s) => s.window.firstArrival).filter((t) => t > 0);
      return {
        sockets: sum((s) => s.sockets),
        open: sum((s) => s.open),
        arrived: sum((s) => s.arrived),
        duplicates: sum((s) => s.duplicates),
        outOfOrder: sum((s) => s.outOfOrder),
        closedByServer: all.reduce((a, s) => addCounts(a, s.closedByServer), {}),
        controlErrors: all.reduce((a, s) => addCounts(a, s.controlErrors), {}),
        windowArrived: sum((s) => s.window.arrived),
        windowBytes: sum((s) => s.window.bytes),
        firstArrival: firsts.length ? Math.min(...firsts) : 0,
        lastArrival: Math.max(0, ...all.map((s) => s.window.lastArrival)),
        latency,
        acceptLatency,
        expected: sum((s) => s.expected ?? 0),
        expectedArrived: sum((s) => s.expectedArrived ?? 0),
        socketsShort: sum((s) => s.socketsShort ?? 0),
        unexpected: sum((s) => s.unexpected ?? 0),
        perClient: all,
      };
    },
    async close() {
      await Promise.all(workers.map((w) => w.call('close')));
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}
