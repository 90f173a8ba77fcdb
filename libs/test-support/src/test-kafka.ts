import { randomUUID } from 'node:crypto';
import { createKafka, type Kafka } from '@threadcast/kafka';
import { createLogger, type Logger } from '@threadcast/runtime';

/**
 * A client for the broker the integration setup started (KAFKA_BROKERS, plain), and a logger that
 * is silent unless TEST_LOG_LEVEL says otherwise. (libs/kafka's own tests keep theirs in
 * libs/kafka/test: that lib cannot depend on this one, which depends on it.)
 */
export function testKafka(clientId = 'threadcast-test'): { kafka: Kafka; logger: Logger; brokers: string } {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the integration jest config');
  const logger = createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const kafka = createKafka(
    { KAFKA_BROKERS: brokers.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    clientId,
  );
  return { kafka, logger, brokers };
}

/** A name no earlier run used (topics, groups): the test broker is shared by every suite. */
export const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
