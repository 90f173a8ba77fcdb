import type { OutRecord } from '@threadcast/kafka';
import { createCoalescer, type Timers } from './coalescer';

/** A clock that only moves when the test says so. */
function manualTimers() {
  let pending: { fn: () => void; ms: number } | undefined;
  const timers: Timers = {
    set: (fn, ms) => (pending = { fn, ms }),
    clear: () => (pending = undefined),
  };
  return {
    timers,
    armed: () => pending?.ms,
    /** Ends the current window, if one is open. */
    fire() {
      const p = pending;
      pending = undefined;
      p?.fn();
    },
  };
}

const record = (key: string, value: string): OutRecord => ({ topic: 'deliveries', key, value });
const settle = () => new Promise((r) => setImmediate(r));

function setup(opts: { maxPending?: number; fail?: () => boolean } = {}) {
  const clock = manualTimers();
  const sent: OutRecord[][] = [];
  const c = createCoalescer<number>({
    windowMs: 250,
    maxPending: opts.maxPending ?? 100,
    build: (key, n) => record(key, String(n)),
    send: async (records) => {
      if (opts.fail?.()) throw new Error('broker away');
      sent.push(records);
    },
    timers: clock.timers,
  });
  return { c, clock, sent };
}

describe('createCoalescer', () => {
  it('sends one record per key per window, from the latest mark', async () => {
    const { c, clock, sent } = setup();
    for (let i = 1; i <= 50; i++) c.mark('c1', i);
    c.mark('c2', 7);
    expect(clock.armed()).toBe(250);
    expect(sent).toEqual([]);
    clock.fire();
    await settle();
    expect(sent).toEqual([[record('c1', '50'), record('c2', '7')]]);
    expect(c.size()).toBe(0);
    expect(clock.armed()).toBeUndefined();
  });

  it('opens a new window on the first mark after a flush', async () => {
    const { c, clock, sent } = setup();
    c.mark('c1', 1);
    clock.fire();
    await settle();
    c.mark('c1', 2);
    expect(clock.armed()).toBe(250);
    clock.fire();
    await settle();
    expect(sent.map((b) => b.map((r) => r.value))).toEqual([['1'], ['2']]);
  });

  it('flushes early once maxPending keys are dirty', async () => {
    const { c, sent } = setup({ maxPending: 3 });
    c.mark('a', 1);
    c.mark('b', 1);
    expect(sent).toEqual([]);
    c.mark('c', 1);
    await settle();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(3);
    expect(c.size()).toBe(0);
  });

  it('requeues the keys of a failed flush for the next window, newer marks winning', async () => {
    let down = true;
    const { c, clock, sent } = setup({ fail: () => down });
    c.mark('a', 1);
    c.mark('b', 1);
    const flushing = c.flush();
    c.mark('b', 2);
    await flushing;
    expect(c.size()).toBe(2);
    expect(clock.armed()).toBe(250);
    down = false;
    clock.fire();
    await settle();
    expect(sent).toEqual([[record('b', '2'), record('a', '1')]]);
  });

  it('runs one flush at a time and close sends what is left', async () => {
    const { c, clock, sent } = setup();
    c.mark('a', 1);
    const first = c.flush();
    c.mark('b', 1);
    const second = c.flush();
    await Promise.all([first, second]);
    expect(sent).toEqual([[record('a', '1')], [record('b', '1')]]);
    c.mark('c', 1);
    await c.close();
    expect(sent).toHaveLength(3);
    expect(clock.armed()).toBeUndefined();
  });

  it('sends nothing for keys the builder drops', async () => {
    const sent: OutRecord[][] = [];
    const c = createCoalescer<number>({
      windowMs: 10,
      maxPending: 10,
      build: () => undefined,
      send: async (r) => void sent.push(r),
      timers: manualTimers().timers,
    });
    c.mark('a', 1);
    await c.flush();
    expect(sent).toEqual([]);
  });
});
