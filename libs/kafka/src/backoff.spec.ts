import { RetriableError } from '@threadcast/runtime';
import { backoffMs, retryWhileRetriable } from './backoff';

describe('backoffMs', () => {
  it('draws below a ceiling that doubles up to the maximum', () => {
    expect(backoffMs(0, 100, 10_000, () => 0.999)).toBe(99);
    expect(backoffMs(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(backoffMs(30, 100, 10_000, () => 0.5)).toBe(5000);
    expect(backoffMs(5, 100, 10_000, () => 0)).toBe(0);
  });
});

describe('retryWhileRetriable', () => {
  it('retries retriable failures until the work succeeds', async () => {
    let calls = 0;
    const result = await retryWhileRetriable(async () => {
      calls++;
      if (calls < 3) throw new RetriableError('not_leader', 'not the leader yet');
      return 'served';
    });
    expect({ result, calls }).toEqual({ result: 'served', calls: 3 });
  });

  it('throws a non-retriable failure at once', async () => {
    let calls = 0;
    const work = async () => {
      calls++;
      throw new Error('topic authorization failed');
    };
    await expect(retryWhileRetriable(work)).rejects.toThrow('topic authorization failed');
    expect(calls).toBe(1);
  });

  it('gives up on a retriable failure after the timeout', async () => {
    const work = async () => {
      throw new RetriableError('not_leader', 'still not the leader');
    };
    await expect(retryWhileRetriable(work, 50)).rejects.toThrow('still not the leader');
  });
});
