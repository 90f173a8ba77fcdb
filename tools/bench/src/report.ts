/**
 * A run's report: the tables as printed, the structured figures behind them, the machine and
 * its load, warnings, and the verdict. A run that lost anything says LOST and exits non-zero.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CpuWindow } from './cpu-window';
import type { PostResult } from './loadgen/poster-protocol';
import type { MachineFacts } from './machine';
import type { Values } from './options';
import type { Usage } from './self-usage';
import { renderTable, type Table } from './table';

export interface Report {
  scenario: string;
  startedAt: string;
  finishedAt: string;
  machine: MachineFacts;
  options: Values;
  tables: Table[];
  results: Record<string, unknown>;
  /** Machine load over the measured window(s). */
  load: Record<string, Pick<CpuWindow, 'machineBusyCores' | 'otherBusyCores' | 'cores' | 'loadavg'>>;
  warnings: string[];
  /** Events (or sockets) that should have arrived and did not. */
  lost: number;
  verdict: 'ok' | 'LOST';
}

/** A single-threaded generator near a full core, or with its loop nearly always busy, was the limit. */
export const GENERATOR_CORES_LIMIT = 0.85;
export const GENERATOR_ELU_LIMIT = 0.9;

export function generatorWarnings(name: string, u: Pick<Usage, 'cpu' | 'wall' | 'elu'>): string[] {
  const cores = u.wall > 0 ? u.cpu / u.wall : 0;
  if (cores < GENERATOR_CORES_LIMIT && u.elu < GENERATOR_ELU_LIMIT) return [];
  return [
    `LOAD GENERATOR BOTTLENECK: ${name} used ${cores.toFixed(2)} cores with its event loop ${(u.elu * 100).toFixed(0)} % busy: ` +
      'the figures of this phase are bounded by the load generator, not by the system under test',
  ];
}

/**
 * The poster fell behind its schedule by more than a tenth of a second's posts (besides the one
 * that just became due): the rate asked was not the rate posted.
 */
export function posterBehind(p: Pick<PostResult, 'maxBehind'>, rate: number): boolean {
  return p.maxBehind > 1 + rate * 0.1;
}

export function postedPerSecond(p: Pick<PostResult, 'sent' | 'firstT' | 'lastT'>): number {
  return p.lastT > p.firstT ? p.sent / ((p.lastT - p.firstT) / 1e6) : p.sent;
}

/** Posts ingest refused, and a poster that could not keep the rate. */
export function posterWarnings(p: PostResult, rate: number, phase = ''): string[] {
  const out: string[] = [];
  const refused = p.sent - p.accepted;
  if (refused > 0) {
    out.push(`${phase}ingest refused ${refused} of ${p.sent} posts: ${JSON.stringify(p.failures)}`);
  }
  if (posterBehind(p, rate)) {
    out.push(
      `${phase}POSTER BEHIND: it fell ${p.maxBehind} comments behind its schedule: the rate was not held`,
    );
  }
  return out;
}

export function machineWarnings(phase: string, w: CpuWindow): string[] {
  const out: string[] = [];
  if (w.machineBusyCores >= 0.9 * w.cores) {
    out.push(
      `MACHINE SATURATED during ${phase}: ${w.machineBusyCores.toFixed(2)} of ${w.cores} cores busy on average ` +
        `(${w.otherBusyCores.toFixed(2)} by processes outside this run): server, broker and load generators competed for CPU`,
    );
  } else if (w.otherBusyCores >= 0.25) {
    out.push(
      `OTHER LOAD during ${phase}: ${w.otherBusyCores.toFixed(2)} cores busy outside this run (shared machine)`,
    );
  }
  return out;
}

export function printReport(r: Report, print: (s: string) => void): void {
  const m = r.machine;
  print('');
  print(
    `threadcast bench ${r.scenario} at ${m.commit}${m.dirty ? ' (with uncommitted changes)' : ''}, ${r.finishedAt}`,
  );
  print(`machine: ${m.cores} x ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}`);
  for (const [phase, l] of Object.entries(r.load)) {
    print(
      `load during ${phase}: ${l.machineBusyCores.toFixed(2)}/${l.cores} cores busy, ${l.otherBusyCores.toFixed(2)} outside this run; loadavg ${l.loadavg.join(' ')}`,
    );
  }
  for (const t of r.tables) {
    print('');
    print(renderTable(t));
  }
  print('');
  for (const w of r.warnings) print(`!! ${w}`);
  if (r.verdict === 'LOST')
    print(`LOST: ${r.lost.toLocaleString('en-US')} expected deliveries did not arrive (details above)`);
  else print('no loss: everything sent arrived, once');
}

export function writeReport(r: Report, file: string): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
  return path;
}
