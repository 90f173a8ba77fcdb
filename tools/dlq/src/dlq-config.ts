import { kafkaConfig, oneOf } from '@threadcast/config';

/** The CLI's settings: the services' Kafka variables, and a log level that is quiet by default. */
export const dlqConfig = {
  ...kafkaConfig,
  LOG_LEVEL: oneOf(
    'pino log level of the CLI (logs go to stdout, mixed with the output).',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'silent',
  ),
} as const;
