import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { areaOf, summarizeProfile } from './cpu-profile';

describe('cpu profile summary', () => {
  it('ranks functions by self time, idle left out', () => {
    const node = (id: number, functionName: string, url: string, children: number[] = []) => ({
      id,
      callFrame: { functionName, url, lineNumber: 9, columnNumber: 0, scriptId: '0' },
      children,
    });
    const profile = {
      nodes: [
        node(1, '(root)', '', [2, 3, 4]),
        node(2, 'writev', ''),
        node(3, 'fanOut', 'file:///repo/apps/gateway/dist/main.js'),
        node(4, '(idle)', ''),
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [2, 2, 2, 3, 4, 4],
      timeDeltas: [1000, 1000, 1000, 1000, 5000, 1000],
    };
    const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
    const file = join(dir, 'p.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const s = summarizeProfile(file);
    expect(s.busyMs).toBe(4);
    expect(s.idleMs).toBe(6);
    expect(s.top.map((f) => [f.name, f.selfMs, f.share])).toEqual([
      ['writev', 3, 75],
      ['fanOut', 1, 25],
    ]);
    expect(s.top[1]!.where).toBe('apps/gateway/dist/main.js:10');
  });

  it('sorts code into areas', () => {
    expect(areaOf('file:///x/node_modules/ws/lib/sender.js', 'send')).toBe('ws');
    expect(areaOf('node:net', 'Socket._writeGeneric')).toBe('node net/streams');
    expect(areaOf('', '(garbage collector)')).toBe('GC');
    expect(areaOf('file:///x/apps/gateway/dist/main.js', 'f')).toBe('app code');
  });
});
