import { backoffMs, sleep } from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';

/**
 * Connects the producer in the background, retrying with jittered backoff until it succeeds or
 * `stopped()` says shutdown began: a pod started while Kafka is away stays up (not ready) and
 * joins once Kafka is back, instead of crash-looping.
 */
export async function keepConnecting(opts: {
  connect: () => Promise<void>;
  logger: Pick<Logger, 'warn'>;
  stopped: () => boolean;
  wait?: (ms: number) => Promise<void>;
}): Promise<boolean> {
  const wait = opts.wait ?? sleep;
  for (let attempt = 0; !opts.stopped(); attempt++) {
    try {
      await opts.connect();
      return true;
    } catch (e) {
      opts.logger.warn({ err: e, attempt }, 'producer could not connect to Kafka; retrying');
      await wait(backoffMs(attempt, 500, 10_000));
    }
  }
  return false;
}
