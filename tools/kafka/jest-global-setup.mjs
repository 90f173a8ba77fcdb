// Jest globalSetup for integration suites: uses KAFKA_BROKERS when set (CI's with-kafka wrapper
// or an existing cluster), otherwise starts one embedded broker for the whole run. The same for
// the trace backend (tools/jaeger/jest-global-setup.mjs): JAEGER_QUERY_URL and
// OTEL_EXPORTER_OTLP_ENDPOINT when set, else one Jaeger for the run (THREADCAST_TRACING=off: none).
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startKafka } from './kafka.mjs';
import setupJaeger from '../jaeger/jest-global-setup.mjs';

async function setupKafka() {
  if (process.env.KAFKA_BROKERS) return;
  const broker = await startKafka({ dataDir: join(tmpdir(), `threadcast-it-${process.pid}`), fresh: true });
  process.env.KAFKA_BROKERS = broker.brokers;
  globalThis.__THREADCAST_KAFKA__ = broker;
}

export default async function setup() {
  // In parallel; if one fails, the other is still recorded so that teardown stops it.
  const results = await Promise.allSettled([setupKafka(), setupJaeger()]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled([
      globalThis.__THREADCAST_KAFKA__?.stop(),
      globalThis.__THREADCAST_JAEGER__?.stop(),
    ]);
    throw failed.reason;
  }
}
