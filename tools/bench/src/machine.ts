/** The facts a benchmark result is worthless without: which code, on what machine, how busy. */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { loadAverage } from './proc-stats';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  commit: string;
  /** Uncommitted changes under apps/, libs/ or tools/bench at the time of the run. */
  dirty: boolean;
  loadavgAtStart: [number, number, number];
}

export function machineFacts(repoRoot: string): MachineFacts {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    commit: git('rev-parse', '--short=12', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain', '--', 'apps', 'libs', 'tools/bench') !== '',
    loadavgAtStart: loadAverage(),
  };
}
