/**
 * A kafkajs client (through libs/kafka) for the bench's own processes. Quiet (BENCH_LOG_LEVEL,
 * default fatal): a new broker's "coordinator is loading" retries are noise, and what matters,
 * records not acknowledged, the injector counts and reports.
 */
import { createKafka, type Kafka } from '@threadcast/kafka';
import { createLogger, type Logger } from '@threadcast/runtime';

export function benchKafka(brokers: string, clientId: string): { kafka: Kafka; logger: Logger } {
  const logger = createLogger({ service: clientId, level: process.env.BENCH_LOG_LEVEL ?? 'fatal' });
  const kafka = createKafka(
    { KAFKA_BROKERS: brokers.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    clientId,
  );
  return { kafka, logger };
}
