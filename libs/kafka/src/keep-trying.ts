import type { Logger } from '@threadcast/runtime';
import { backoffMs, sleep } from './backoff';

/**
 * Runs `attempt` in the background until it succeeds or `stopped()` says shutdown began, backing
 * off with jitter in between: a pod started while Kafka is away stays up (not ready) and goes on
 * once Kafka is back, instead of crash-looping. Resolves with the result, or undefined if stopped.
 */
export async function keepTrying<T>(opts: {
  /** What is being tried, for the log line of each failure. */
  what: string;
  attempt: () => Promise<T>;
  logger: Pick<Logger, 'warn'>;
  stopped: () => boolean;
  wait?: (ms: number) => Promise<void>;
}): Promise<T | undefined> {
  const wait = opts.wait ?? sleep;
  for (let n = 0; !opts.stopped(); n++) {
    try {
      return await opts.attempt();
    } catch (e) {
      opts.logger.warn({ err: e, attempt: n }, `${opts.what} failed (is Kafka reachable?); retrying`);
      await wait(backoffMs(n, 500, 10_000));
    }
  }
  return undefined;
}
