/**
 * What the kernel accounts for a process and for the machine (Linux /proc): CPU seconds, RSS,
 * busy CPU overall. For processes the runner starts but that do not report on themselves (the
 * broker, the pipeline's services), and for the load other users put on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

let ticks: number | undefined;
/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on Linux in practice). */
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** User + system CPU seconds of a live process; undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  const t = processCpuTimes(pid);
  return t && t.user + t.system;
}

/** User and system CPU seconds of a live process; undefined once it is gone. */
export function processCpuTimes(pid: number): { user: number; system: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, in parentheses): state is field 3,
    // utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / clockTicks(), system: Number(fields[12]) / clockTicks() };
  } catch {
    return undefined;
  }
}

/**
 * Resident set size now and at its peak, in bytes, and of it the pages of mapped files (RssFile:
 * e.g. an LMDB store's map, reclaimable page cache); undefined once the process is gone.
 */
export function processMemory(pid: number): { rss: number; peakRss: number; rssFile: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM'), rssFile: kb('RssFile') };
  } catch {
    return undefined;
  }
}

export interface SystemCpu {
  /** CPU seconds spent busy (not idle, not waiting for I/O), all cores together. */
  busy: number;
  total: number;
}

export function systemCpu(): SystemCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3]! + v[4]!;
  return { busy: (total - idle) / clockTicks(), total: total / clockTicks() };
}

export function cores(): number {
  return cpus().length;
}

export function loadAverage(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [round2(a!), round2(b!), round2(c!)];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
