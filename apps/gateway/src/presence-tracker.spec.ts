import { presenceFrame } from '@threadcast/contracts';
import {
  createPresenceTracker,
  parsePresenceRecord,
  presenceRecordValue,
  type PresenceTrackerOptions,
} from './presence-tracker';

function setup(overrides: Partial<PresenceTrackerOptions> = {}) {
  let t = 1_000;
  const local = new Map<string, number>();
  const sent: { channel: string; frame: string }[] = [];
  const published: { channel: string; count: number }[][] = [];
  const tracker = createPresenceTracker({
    pod: 'me',
    expiryMs: 6000,
    localCount: (c) => local.get(c) ?? 0,
    publish: (r) => published.push(r),
    broadcast: (channel, frame) => sent.push({ channel, frame }),
    now: () => t,
    ...overrides,
  });
  return {
    tracker,
    local,
    sent,
    published,
    advance: (ms: number) => (t += ms),
    counts: () => sent.map((s) => JSON.parse(s.frame).count as number),
  };
}

describe('presence tracker', () => {
  it('publishes at most maxChannels channels a tick and says how many it left out', () => {
    const unpublished: number[] = [];
    const { tracker, local, published } = setup({
      maxChannels: 2,
      onUnpublished: (n) => unpublished.push(n),
    });
    for (const c of ['thread:a', 'thread:b', 'thread:c', 'thread:d']) {
      local.set(c, 1);
      tracker.localChanged(c);
    }
    tracker.tick();
    expect(published).toEqual([
      [
        { channel: 'thread:a', count: 1 },
        { channel: 'thread:b', count: 1 },
      ],
    ]);
    expect(unpublished).toEqual([2]);
    // A slot frees up: the next channel gets it (a zero takes no slot).
    local.set('thread:a', 0);
    tracker.localChanged('thread:a');
    tracker.tick();
    expect(published[1]).toEqual([
      { channel: 'thread:a', count: 0 },
      { channel: 'thread:b', count: 1 },
      { channel: 'thread:c', count: 1 },
    ]);
    expect(unpublished.at(-1)).toBe(1);
  });

  it('with a refresh period, publishes only changed counts between full refreshes', () => {
    const { tracker, local, published, advance } = setup({ refreshMs: 10_000 });
    local.set('thread:a', 2);
    local.set('thread:b', 1);
    tracker.localChanged('thread:a');
    tracker.localChanged('thread:b');
    tracker.tick(); // the first tick is a full one
    expect(published).toEqual([
      [
        { channel: 'thread:a', count: 2 },
        { channel: 'thread:b', count: 1 },
      ],
    ]);
    advance(2000);
    tracker.tick(); // nothing changed: nothing sent
    expect(published).toHaveLength(1);
    local.set('thread:b', 3);
    tracker.localChanged('thread:b');
    advance(2000);
    tracker.tick();
    expect(published[1]).toEqual([{ channel: 'thread:b', count: 3 }]);
    // The last reader of a leaves: its zero goes out once, then nothing more for it.
    local.set('thread:a', 0);
    tracker.localChanged('thread:a');
    advance(2000);
    tracker.tick();
    expect(published[2]).toEqual([{ channel: 'thread:a', count: 0 }]);
    // 10 s after the first: every live count again, changed or not.
    advance(4000);
    tracker.tick();
    expect(published[3]).toEqual([{ channel: 'thread:b', count: 3 }]);
    advance(2000);
    tracker.tick();
    expect(published).toHaveLength(4);
  });

  it('sends the local count to local subscribers when it changes, once per flush', () => {
    const { tracker, local, sent, counts } = setup();
    local.set('thread:a', 1);
    tracker.localChanged('thread:a');
    local.set('thread:a', 2);
    tracker.localChanged('thread:a');
    tracker.flush();
    expect(sent).toEqual([{ channel: 'thread:a', frame: presenceFrame('thread:a', 2) }]);
    tracker.flush();
    expect(counts()).toEqual([2]);
  });

  it('sums the latest count of every other pod with the live local count', () => {
    const { tracker, local, counts } = setup();
    local.set('thread:a', 1);
    tracker.localChanged('thread:a');
    tracker.received('thread:a', { pod: 'p2', count: 3 });
    tracker.received('thread:a', { pod: 'p3', count: 2 });
    tracker.flush();
    tracker.received('thread:a', { pod: 'p2', count: 1 });
    tracker.flush();
    expect(counts()).toEqual([6, 4]);
    expect(tracker.total('thread:a')).toBe(4);
  });

  it('ignores its own reports read back from Kafka (the live count is used)', () => {
    const { tracker, local } = setup();
    local.set('thread:a', 2);
    tracker.received('thread:a', { pod: 'me', count: 5 });
    expect(tracker.total('thread:a')).toBe(2);
  });

  it('drops a pod not heard from within the expiry, and one that reports zero at once', () => {
    const { tracker, local, advance, counts } = setup();
    local.set('thread:a', 1);
    tracker.localChanged('thread:a');
    tracker.received('thread:a', { pod: 'dead', count: 2 });
    tracker.received('thread:a', { pod: 'gone', count: 4 });
    tracker.flush();
    tracker.received('thread:a', { pod: 'gone', count: 0 });
    tracker.flush();
    advance(5999);
    tracker.tick();
    expect(tracker.total('thread:a')).toBe(3);
    advance(1);
    tracker.tick();
    expect(counts()).toEqual([7, 3, 1]);
  });

  it('publishes local counts every tick, and a zero once after the last subscriber leaves', () => {
    const { tracker, local, published } = setup();
    local.set('thread:a', 2);
    tracker.localChanged('thread:a');
    tracker.tick();
    local.set('thread:a', 0);
    tracker.localChanged('thread:a');
    tracker.tick();
    tracker.tick();
    expect(published).toEqual([[{ channel: 'thread:a', count: 2 }], [{ channel: 'thread:a', count: 0 }]]);
    expect(tracker.channelCount).toBe(0);
  });

  it('sends nothing where nobody local listens, and a newcomer gets the current total', () => {
    const { tracker, local, sent, counts } = setup();
    tracker.received('thread:a', { pod: 'p2', count: 3 });
    tracker.flush();
    expect(sent).toEqual([]);
    local.set('thread:a', 1);
    tracker.localChanged('thread:a');
    tracker.flush();
    expect(counts()).toEqual([4]);
  });
});

describe('presence records', () => {
  it('round-trips a report with its channel', () => {
    const value = presenceRecordValue('thread:a', { pod: 'p1', count: 3 });
    expect(parsePresenceRecord(Buffer.from(value))).toEqual({ channel: 'thread:a', pod: 'p1', count: 3 });
  });

  it.each([
    null,
    '',
    'not json',
    '[]',
    '{"channel":"thread:a","pod":"p","count":-1}',
    '{"pod":"p","count":1}',
    '{"channel":"thread:a","pod":"","count":1}',
    '{"channel":"thread:a","pod":"p","count":1.5}',
  ])('refuses %p', (value) => {
    expect(parsePresenceRecord(value)).toBeUndefined();
  });

  it('holds changes within minGapMs of the last frame, and sends their latest total at the next look', () => {
    const { tracker, local, advance, counts } = setup({ minGapMs: 1000 });
    local.set('thread:a', 1);
    tracker.localChanged('thread:a');
    // The first frame to a channel is never held.
    expect(tracker.flush()).toBeUndefined();
    expect(counts()).toEqual([1]);
    advance(300);
    for (const n of [2, 3, 4]) {
      local.set('thread:a', n);
      tracker.localChanged('thread:a');
      // Held channels are looked at again one gap after the last look.
      expect(tracker.flush()).toBe(1000);
    }
    advance(999);
    expect(tracker.flush()).toBe(1);
    expect(counts()).toEqual([1]);
    advance(1);
    expect(tracker.flush()).toBeUndefined();
    expect(counts()).toEqual([1, 4]);
    // Another channel's first frame is not held by this one's gap.
    local.set('thread:b', 1);
    tracker.localChanged('thread:b');
    tracker.flush();
    expect(counts()).toEqual([1, 4, 1]);
    // A tick sends what is due too, and nothing twice.
    local.set('thread:a', 5);
    tracker.localChanged('thread:a');
    advance(1000);
    tracker.tick();
    tracker.flush();
    expect(counts()).toEqual([1, 4, 1, 5]);
  });
});
