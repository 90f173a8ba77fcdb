/**
 * A load generator's own accounting over a window: CPU seconds (process.cpuUsage) and event
 * loop utilisation. A single-threaded generator near one core, or with its loop busy nearly all
 * the time, was the bottleneck of the run, whatever the system under test could have done.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface Usage {
  /** Wall seconds since the mark. */
  wall: number;
  /** CPU seconds (user + system) since the mark. */
  cpu: number;
  /** Event loop utilisation since the mark, 0..1. */
  elu: number;
  rss: number;
}

export interface UsageMark {
  since(): Usage;
}

export function markUsage(): UsageMark {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    since() {
      const cpu = process.cpuUsage(cpu0);
      return {
        wall: (performance.now() - t0) / 1000,
        cpu: (cpu.user + cpu.system) / 1e6,
        elu: performance.eventLoopUtilization(elu0).utilization,
        rss: process.memoryUsage.rss(),
      };
    },
  };
}
