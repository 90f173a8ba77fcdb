// Jest globalSetup for integration suites: uses KAFKA_BROKERS when set (CI's with-kafka wrapper
// or an existing cluster), otherwise starts one embedded broker for the whole run.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startKafka } from './kafka.mjs';

export default async function setup() {
  if (process.env.KAFKA_BROKERS) return;
  const broker = await startKafka({ dataDir: join(tmpdir(), `threadcast-it-${process.pid}`), fresh: true });
  process.env.KAFKA_BROKERS = broker.brokers;
  globalThis.__THREADCAST_KAFKA__ = broker;
}
