/**
 * Reads a V8 .cpuprofile (`node --cpu-prof`) and ranks functions by self time: where the
 * process's CPU went, without a flame graph viewer. Also sums self time by area (the gateway's
 * own code, ws, Node's net/stream internals, kafkajs, GC), which is what a perf change moves.
 */
import { readFileSync } from 'node:fs';
import type { Table } from './table';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  where: string;
  area: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  /** Sampled time, idle excluded. */
  busyMs: number;
  idleMs: number;
  top: FunctionTime[];
  areas: { area: string; selfMs: number; share: number }[];
}

export function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8/native (program)';
  if (url.includes('node_modules/ws/')) return 'ws';
  if (url.includes('node_modules/kafkajs/')) return 'kafkajs';
  if (url.includes('node_modules/')) return 'other packages';
  if (url === 'node:inspector') return 'profiler (measurement)';
  if (url.startsWith('node:'))
    return /node:(net|stream|internal\/streams|internal\/stream_base_commons)/.test(url)
      ? 'node net/streams'
      : 'node other';
  if (url === '') return 'native/builtins';
  return 'app code';
}

export function summarizeProfile(file: string, topN = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: it belongs to sample i - 1's node, but
  // the usual reading (Chrome DevTools) charges it to sample i; the difference is one interval.
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, p.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map<string, FunctionTime>();
  const byArea = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    const area = areaOf(url, name);
    if (area === 'idle') {
      idle += us;
      continue;
    }
    busy += us;
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(apps|libs|tools)\//, '$1/');
    const where = url ? `${short}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const f = byFunction.get(key) ?? { name, where, area, selfMs: 0, share: 0 };
    f.selfMs += us / 1000;
    byFunction.set(key, f);
  }
  const top = [...byFunction.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, topN)
    .map((f) => ({ ...f, selfMs: round1(f.selfMs), share: round1((f.selfMs * 1000 * 100) / busy) }));
  const areas = [...byArea]
    .sort((a, b) => b[1] - a[1])
    .map(([area, us]) => ({ area, selfMs: round1(us / 1000), share: round1((us * 100) / busy) }));
  return { file, busyMs: round1(busy / 1000), idleMs: round1(idle / 1000), top, areas };
}

export function profileTables(s: ProfileSummary, label: string): Table[] {
  return [
    {
      title: `${label}: top self time (${s.busyMs.toLocaleString('en-US')} ms busy sampled, idle excluded; ${s.file})`,
      columns: ['function', 'where', 'area', 'self ms', '% of busy'],
      rows: s.top.map((f) => [f.name, f.where, f.area, f.selfMs, f.share]),
    },
    {
      title: `${label}: self time by area`,
      columns: ['area', 'self ms', '% of busy'],
      rows: s.areas.map((a) => [a.area, a.selfMs, a.share]),
    },
  ];
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
