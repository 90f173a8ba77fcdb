import { memStat } from './server';

describe('centrifugo memory reading', () => {
  it("reads a runtime.MemStats figure from a debug=1 heap profile's trailer", () => {
    const profile = [
      'heap profile: 3: 4096 [10: 8192] @ heap/1048576',
      '1: 4096 [1: 4096] @ 0x1 0x2',
      '',
      '# runtime.MemStats',
      '# Alloc = 5242880',
      '# TotalAlloc = 99999999',
      '# HeapAlloc = 5242880',
      '# HeapInuse = 6291456',
    ].join('\n');
    expect(memStat(profile, 'HeapAlloc')).toBe(5_242_880);
    expect(memStat(profile, 'HeapInuse')).toBe(6_291_456);
    expect(memStat(profile, 'Sys')).toBeUndefined();
  });
});
