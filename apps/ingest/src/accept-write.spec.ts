import type { OutRecord } from '@threadcast/kafka';
import { createWriteAcceptor, type Write } from './accept-write';
import { createIdempotencyCache } from './idempotency-cache';
import { createRateLimiter } from './rate-limiter';

describe('createWriteAcceptor', () => {
  const setup = (healthy = true) => {
    const sent: OutRecord[] = [];
    const accept = createWriteAcceptor({
      producer: { send: async (r) => void sent.push(...r) },
      isKafkaHealthy: () => healthy,
      limiter: createRateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 100, now: () => 0 }),
      cache: createIdempotencyCache<object>({ maxEntries: 10, ttlMs: 1000, now: () => 0 }),
      now: () => 0,
    });
    const write = (key?: string, rateKey = 'u:1'): Write<{ eventId: string }> => ({
      scope: 's',
      caller: 'c',
      idempotencyKey: key,
      body: { a: 1 },
      rateKey,
      build: (ids) => ({
        records: [{ topic: 't', key: 'k', value: ids.eventId }],
        answer: { eventId: ids.eventId },
      }),
    });
    return { sent, accept, write };
  };

  it('produces and answers with what build made', async () => {
    const { sent, accept, write } = setup();
    const answer = await accept(write());
    expect(sent).toEqual([{ topic: 't', key: 'k', value: answer.eventId }]);
  });

  it('answers a repeated key from the cache without drawing on the rate limit', async () => {
    const { sent, accept, write } = setup();
    const a = await accept(write('k'));
    expect(await accept(write('k'))).toEqual(a);
    expect(sent).toHaveLength(1);
  });

  it('refuses with 429 once the bucket is empty', async () => {
    const { accept, write } = setup();
    await accept(write());
    await expect(accept(write())).rejects.toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    await expect(accept(write(undefined, 'u:2'))).resolves.toBeDefined();
  });

  it('refuses at once while Kafka is unhealthy, without using a token', async () => {
    const { sent, accept, write } = setup(false);
    await expect(accept(write())).rejects.toMatchObject({ status: 503, code: 'kafka_unavailable' });
    expect(sent).toHaveLength(0);
  });
});
