import { everySoOften } from './every-so-often';

describe('everySoOften', () => {
  it('calls at most once per interval and reports what it skipped', () => {
    const t = { now: 0 };
    const calls: [string, number][] = [];
    const log = everySoOften<string>(
      1000,
      (v, skipped) => calls.push([v, skipped]),
      () => t.now,
    );
    log('a');
    log('b');
    log('c');
    t.now = 1000;
    log('d');
    expect(calls).toEqual([
      ['a', 0],
      ['d', 2],
    ]);
  });
});
