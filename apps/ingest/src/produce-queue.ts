import type { OutRecord } from '@threadcast/kafka';
import type { Histogram } from 'prom-client';
import { kafkaUnavailable } from './http-error';

/** What ingest needs of a producer: `send` resolves once Kafka acknowledged every record. */
export interface RecordSender {
  send(records: OutRecord[]): Promise<void>;
}

/**
 * Sends and waits for the acknowledgement at most `timeoutMs`; a timeout or a Kafka error
 * becomes a 503 kafka_unavailable. A timed-out record may still be written later, which is why
 * write ids are stable across retries when the client sends an Idempotency-Key.
 */
export async function sendWithTimeout(
  producer: RecordSender,
  records: OutRecord[],
  timeoutMs: number,
  produceSeconds?: Histogram<'outcome'>,
): Promise<void> {
  const stop = produceSeconds?.startTimer();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  let outcome: 'ok' | 'timeout';
  try {
    // race() keeps a handler on the send, so a failure after the timeout is not unhandled.
    outcome = await Promise.race([producer.send(records).then(() => 'ok' as const), timeout]);
  } catch (e) {
    stop?.({ outcome: 'error' });
    throw kafkaUnavailable('Kafka refused or failed the write', 1, e);
  } finally {
    clearTimeout(timer);
  }
  stop?.({ outcome });
  if (outcome === 'timeout') {
    throw kafkaUnavailable(`Kafka did not acknowledge the write within ${timeoutMs} ms`, 1);
  }
}
