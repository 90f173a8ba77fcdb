// Jest globalSetup for suites that need a trace backend: uses JAEGER_QUERY_URL and
// OTEL_EXPORTER_OTLP_ENDPOINT when set (with-kafka.mjs, or a Jaeger of your own), otherwise starts
// one Jaeger for the whole run and sets them. THREADCAST_TRACING=off skips it.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jaegerEnv, startJaegerUnlessConfigured } from './jaeger.mjs';

export default async function setup() {
  const jaeger = await startJaegerUnlessConfigured({
    dataDir: join(tmpdir(), `threadcast-jaeger-it-${process.pid}`),
  });
  if (!jaeger) return;
  Object.assign(process.env, jaegerEnv(jaeger));
  globalThis.__THREADCAST_JAEGER__ = jaeger;
}
