import { HttpError } from './http-error';
import { createIdempotencyCache } from './idempotency-cache';

describe('idempotency cache', () => {
  const setup = (maxEntries = 3, ttlMs = 1000) => {
    const t = { now: 0 };
    let calls = 0;
    const cache = createIdempotencyCache<{ n: number }>({ maxEntries, ttlMs, now: () => t.now });
    const produce = () => Promise.resolve({ n: ++calls });
    return { t, cache, produce, calls: () => calls };
  };

  it('runs once per key and fingerprint, answering repeats from memory', async () => {
    const { cache, produce, calls } = setup();
    expect(await cache.run('k', 'f', produce)).toEqual({ n: 1 });
    expect(await cache.run('k', 'f', produce)).toEqual({ n: 1 });
    expect(await cache.run('other', 'f', produce)).toEqual({ n: 2 });
    expect(calls()).toBe(2);
  });

  it('shares an answer still in flight', async () => {
    const { cache, produce, calls } = setup();
    const [a, b] = await Promise.all([cache.run('k', 'f', produce), cache.run('k', 'f', produce)]);
    expect(a).toBe(b);
    expect(calls()).toBe(1);
  });

  it('refuses the same key with another fingerprint with 422', async () => {
    const { cache, produce } = setup();
    await cache.run('k', 'f', produce);
    const e = await cache.run('k', 'g', produce).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpError);
    expect(e).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('forgets failures so the retry runs again', async () => {
    const { cache, produce, calls } = setup();
    await expect(cache.run('k', 'f', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(
      cache.run('k', 'f', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await cache.run('k', 'f', produce)).toEqual({ n: 1 });
    expect(calls()).toBe(1);
  });

  it('expires entries after the TTL', async () => {
    const { t, cache, produce } = setup();
    await cache.run('k', 'f', produce);
    t.now = 1000;
    expect(await cache.run('k', 'other body now allowed', produce)).toEqual({ n: 2 });
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const { cache, produce } = setup(2);
    await cache.run('a', 'f', produce);
    await cache.run('b', 'f', produce);
    await cache.run('a', 'f', produce);
    await cache.run('c', 'f', produce);
    expect(cache.size).toBe(2);
    expect(await cache.run('a', 'f', produce)).toEqual({ n: 1 });
    expect(await cache.run('b', 'f', produce)).toEqual({ n: 4 });
  });

  it('remembers nothing with size 0', async () => {
    const { cache, produce } = setup(0);
    await cache.run('k', 'f', produce);
    expect(await cache.run('k', 'f', produce)).toEqual({ n: 2 });
    expect(cache.size).toBe(0);
  });
});
