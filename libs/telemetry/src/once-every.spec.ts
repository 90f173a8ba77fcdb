import { onceEvery } from './once-every';

describe('onceEvery', () => {
  it('lets one message through per interval and counts the ones it held back', () => {
    let t = 1000;
    const out: [string, number][] = [];
    const log = onceEvery(
      60_000,
      (m, s) => out.push([m, s]),
      () => t,
    );
    log('a');
    t = 2000;
    log('b');
    log('c');
    t = 60_999;
    log('d');
    t = 61_000;
    log('e');
    expect(out).toEqual([
      ['a', 0],
      ['e', 3],
    ]);
  });
});
