import { randomUUID } from 'node:crypto';
import { createLogger } from '@threadcast/runtime';
import { createKafka, type Kafka } from '../src/index';

/** A client for the broker the integration setup started (or KAFKA_BROKERS). */
export function testKafka(): { kafka: Kafka; logger: ReturnType<typeof createLogger> } {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the integration jest config');
  const logger = createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const kafka = createKafka(
    { KAFKA_BROKERS: brokers.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    'threadcast-test',
  );
  return { kafka, logger };
}

export const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
