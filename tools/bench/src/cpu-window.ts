/**
 * CPU over a measurement window for every process of the run, by the kernel's accounting, and
 * for the machine as a whole: what the run's processes used, and what everything else on a
 * shared machine took meanwhile.
 */
import { performance } from 'node:perf_hooks';
import { cores, loadAverage, processCpuSeconds, processMemory, systemCpu } from './proc-stats';

export interface ProcessWindow {
  name: string;
  pid: number;
  /** CPU seconds over the window. */
  cpu: number;
  /** Average cores used: cpu / wall. */
  cores: number;
  rss: number;
  peakRss: number;
}

export interface CpuWindow {
  wall: number;
  processes: ProcessWindow[];
  /** Busy cores of the whole machine, on average. */
  machineBusyCores: number;
  /** Busy cores not accounted to this run's processes (other users of the machine). */
  otherBusyCores: number;
  cores: number;
  loadavg: [number, number, number];
}

export function startCpuWindow(procs: { name: string; pid: number | undefined }[]): { end(): CpuWindow } {
  const t0 = performance.now();
  const sys0 = systemCpu();
  const self0 = process.cpuUsage();
  const tracked = procs.filter((p): p is { name: string; pid: number } => p.pid !== undefined);
  const cpu0 = tracked.map((p) => processCpuSeconds(p.pid) ?? 0);
  return {
    end() {
      const wall = (performance.now() - t0) / 1000;
      const sys1 = systemCpu();
      const self = process.cpuUsage(self0);
      const processes = tracked.map((p, i) => {
        const cpu = Math.max(0, (processCpuSeconds(p.pid) ?? cpu0[i]!) - cpu0[i]!);
        const mem = processMemory(p.pid) ?? { rss: 0, peakRss: 0 };
        return { name: p.name, pid: p.pid, cpu, cores: wall > 0 ? cpu / wall : 0, ...mem };
      });
      const ours = processes.reduce((a, p) => a + p.cpu, 0) + (self.user + self.system) / 1e6;
      const busy = sys1.busy - sys0.busy;
      return {
        wall,
        processes,
        machineBusyCores: wall > 0 ? busy / wall : 0,
        otherBusyCores: wall > 0 ? Math.max(0, busy - ours) / wall : 0,
        cores: cores(),
        loadavg: loadAverage(),
      };
    },
  };
}
