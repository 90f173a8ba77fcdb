import { createSubscriptions } from './subscriptions';

describe('subscriptions', () => {
  const a = { name: 'a' };
  const b = { name: 'b' };

  it('maps channels to their clients, idempotently', () => {
    const subs = createSubscriptions<typeof a>();
    expect(subs.subscribers('thread:t1')).toBeUndefined();
    expect(subs.subscribe(a, 'thread:t1', 10)).toBe('added');
    expect(subs.subscribe(a, 'thread:t1', 10)).toBe('already');
    expect(subs.subscribe(b, 'thread:t1', 10)).toBe('added');
    expect(subs.subscribe(a, 'user:u1', 10)).toBe('added');
    expect([...subs.subscribers('thread:t1')!]).toEqual([a, b]);
    expect([...subs.subscribers('user:u1')!]).toEqual([a]);
    expect(subs.size).toBe(3);
    expect(subs.channelCount).toBe(2);
    expect(subs.countOf(a)).toBe(2);
  });

  it('limits the channels per client, not counting a repeat', () => {
    const subs = createSubscriptions<typeof a>();
    expect(subs.subscribe(a, 'thread:1', 2)).toBe('added');
    expect(subs.subscribe(a, 'thread:2', 2)).toBe('added');
    expect(subs.subscribe(a, 'thread:2', 2)).toBe('already');
    expect(subs.subscribe(a, 'thread:3', 2)).toBe('limit');
    expect(subs.subscribers('thread:3')).toBeUndefined();
    expect(subs.subscribe(b, 'thread:3', 2)).toBe('added');
    subs.unsubscribe(a, 'thread:1');
    expect(subs.subscribe(a, 'thread:3', 2)).toBe('added');
  });

  it('forgets empty channels and clients', () => {
    const subs = createSubscriptions<typeof a>();
    subs.subscribe(a, 'thread:t1', 10);
    subs.subscribe(b, 'thread:t1', 10);
    subs.subscribe(a, 'mod:f1', 10);
    expect(subs.unsubscribe(b, 'mod:f1')).toBe(false);
    expect(subs.unsubscribe(b, 'thread:t1')).toBe(true);
    expect(subs.unsubscribe(b, 'thread:t1')).toBe(false);
    expect([...subs.subscribers('thread:t1')!]).toEqual([a]);
    expect(subs.removeClient(a)).toBe(2);
    expect(subs.removeClient(a)).toBe(0);
    expect(subs.subscribers('thread:t1')).toBeUndefined();
    expect(subs.subscribers('mod:f1')).toBeUndefined();
    expect(subs.size).toBe(0);
    expect(subs.channelCount).toBe(0);
    expect(subs.countOf(a)).toBe(0);
  });
});
