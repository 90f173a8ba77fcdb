import { isRetriable } from '@threadcast/runtime';

/** Full-jitter exponential backoff: a random wait up to min(max, base * 2^attempt). */
export function backoffMs(attempt: number, baseMs = 100, maxMs = 10_000, random = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.floor(random() * cap);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `work` until it succeeds, backing off while it fails with a retriable error (kafkajs marks
 * its errors `retriable`), for at most `timeoutMs`. For calls that fail for a moment by design,
 * e.g. a brand-new topic whose partitions are not served yet.
 */
export async function retryWhileRetriable<T>(work: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!isRetriable(e) || Date.now() > deadline) throw e;
      await sleep(backoffMs(attempt, 100, 1000));
    }
  }
}
