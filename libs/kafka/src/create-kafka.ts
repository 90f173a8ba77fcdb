import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '@threadcast/runtime';
import type { Registry } from 'prom-client';
import { ConfigError } from '@threadcast/config';
import { kafkaLogLevel } from './kafka-log-level';
import { kafkaSslOptions, type KafkaSslConfig } from './kafka-ssl';
import { countKafkaRequests } from './request-metrics';

export interface KafkaClientConfig extends KafkaSslConfig {
  KAFKA_BROKERS: string[];
  KAFKA_CLIENT_ID?: string;
  KAFKA_SASL_MECHANISM: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

/**
 * A kafkajs client from the shared config, logging through pino. With a registry, every client
 * made from it counts its requests (`threadcast_kafka_requests_total{client,api}`). Settings that
 * do not fit together (TLS files, SASL credentials) throw a ConfigError naming the variable, so
 * a service started with them exits 2 before it connects.
 */
export function createKafka(
  config: KafkaClientConfig,
  logger: Logger,
  clientId: string,
  registry?: Registry,
): Kafka {
  const options: KafkaConfig = {
    clientId: config.KAFKA_CLIENT_ID ?? clientId,
    brokers: config.KAFKA_BROKERS,
    ssl: kafkaSslOptions(config),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    // Services keep reconnecting for as long as they run; readiness reports the outage.
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const level = kafkaLogLevel(
        entry.level,
        entry.namespace,
        message,
        (extra as { error?: unknown }).error,
      );
      logger[level]({ kafka: entry.namespace, ...extra }, message);
    },
  };
  if (config.KAFKA_SASL_MECHANISM !== 'none') {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!config[name]) {
        throw new ConfigError(name, `is required with KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM}`);
      }
    }
    options.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME,
      password: config.KAFKA_SASL_PASSWORD,
    } as SASLOptions;
  }
  const kafka = new Kafka(options);
  if (registry) countKafkaRequests(kafka, registry);
  return kafka;
}

export type { Kafka };
