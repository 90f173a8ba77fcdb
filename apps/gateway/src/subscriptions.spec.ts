import { createSubscriptions } from './subscriptions';

describe('subscriptions', () => {
  const a = { name: 'a' };
  const b = { name: 'b' };

  it('maps channels to their subscriptions, a repeat moving the position', () => {
    const subs = createSubscriptions<typeof a>();
    expect(subs.subscribers('thread:t1')).toBeUndefined();
    expect(subs.put(a, 'thread:t1', 3, 10)).toBe(true);
    expect(subs.put(a, 'thread:t1', 3, 4)).toBe(false);
    expect(subs.put(b, 'thread:t1', 3, 10)).toBe(true);
    expect(subs.put(a, 'user:u1', 5, -1)).toBe(true);
    expect([...subs.subscribers('thread:t1')!].map((s) => [s.client, s.after])).toEqual([
      [a, 4],
      [b, 10],
    ]);
    expect([...subs.subscribers('user:u1')!].map((s) => s.client)).toEqual([a]);
    expect(subs.size).toBe(3);
    expect(subs.channelCount).toBe(2);
    expect(subs.countOf(a)).toBe(2);
    expect(subs.has(a, 'user:u1')).toBe(true);
    expect(subs.has(b, 'user:u1')).toBe(false);
    expect(subs.countOnPartition(3)).toBe(2);
    expect(subs.countOnPartition(5)).toBe(1);
  });

  it('reports a partition idle when its last subscription leaves, by unsubscribe or close', () => {
    const idle: number[] = [];
    const subs = createSubscriptions<typeof a>((p) => idle.push(p));
    subs.put(a, 'thread:t1', 3, 0);
    subs.put(b, 'thread:t1', 3, 0);
    subs.put(a, 'thread:t2', 3, 0);
    subs.put(a, 'mod:f1', 1, 0);
    expect(subs.remove(b, 'mod:f1')).toBe(false);
    expect(subs.remove(b, 'thread:t1')).toBe(true);
    expect(subs.remove(b, 'thread:t1')).toBe(false);
    expect(idle).toEqual([]);
    expect(subs.removeClient(a)).toBe(3);
    expect(idle.sort()).toEqual([1, 3]);
    expect(subs.removeClient(a)).toBe(0);
    expect(subs.subscribers('thread:t1')).toBeUndefined();
    expect(subs.subscribers('mod:f1')).toBeUndefined();
    expect(subs.size).toBe(0);
    expect(subs.channelCount).toBe(0);
    expect(subs.countOf(a)).toBe(0);
    expect(subs.countOnPartition(3)).toBe(0);
  });
});
