/**
 * OpenTelemetry for a threadcast service: the Node SDK with the HTTP and kafkajs
 * instrumentations, started before the service loads kafkajs or http (import the app's
 * `instrument.ts` first). Exporter, sampler and propagators come from the standard `OTEL_*`
 * variables (OTLP over HTTP to localhost:4318 by default); `OTEL_SDK_DISABLED=true` turns it
 * all into no-ops. Nothing here may throw into the message path: export failures go to a
 * handler that logs at most once a minute.
 */
import { hostname } from 'node:os';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import {
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { loadConfig } from '@threadcast/config';
import { everySoOften } from '@threadcast/runtime';
import { telemetryConfig } from './telemetry-config';

export interface Telemetry {
  readonly enabled: boolean;
  /** Flushes spans still buffered and stops exporting; safe to call twice. */
  shutdown(): Promise<void>;
}

/** Ops endpoints scraped every few seconds: tracing them would drown the comments' traces. */
const UNTRACED_PATHS = new Set(['/metrics', '/healthz', '/readyz']);
const ERROR_LOG_INTERVAL_MS = 60_000;
/** A backend that is down must not hold a stopping pod: the last spans are dropped after this. */
const SHUTDOWN_FLUSH_MS = 2000;

export function startTelemetry(opts: {
  /** The service's short name; exported as `threadcast-<service>`. */
  service: string;
  /** Where export errors go (a line of JSON on stderr by default: the logger is not up yet). */
  warn?: (message: string) => void;
}): Telemetry {
  const config = loadConfig(telemetryConfig);
  if (config.OTEL_SDK_DISABLED) return { enabled: false, shutdown: () => Promise.resolve() };
  const warn =
    opts.warn ??
    ((message: string) =>
      process.stderr.write(
        `${JSON.stringify({ level: 40, time: Date.now(), service: opts.service, msg: message })}\n`,
      ));
  // The exporter reports a failed export per batch; a backend that is down must not flood logs.
  const report = everySoOften<string>(ERROR_LOG_INTERVAL_MS, (message, suppressed) =>
    warn(
      `tracing: ${message}${suppressed > 0 ? ` (${suppressed} similar errors in the last minute not logged)` : ''}`,
    ),
  );
  setGlobalErrorHandler((e) => report(e instanceof Error ? e.message : String(e)));
  diag.setLogger(diagToReport(report), DiagLogLevel.WARN);

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: `threadcast-${opts.service}`,
      [ATTR_SERVICE_VERSION]: config.SERVICE_VERSION,
      'service.instance.id': config.SERVICE_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    }),
    // Not serviceInstanceIdDetector: its random UUID would replace the pod name given above.
    resourceDetectors: [envDetector, hostDetector, osDetector, processDetector],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '/').split('?')[0]!),
      }),
      new KafkaJsInstrumentation(),
    ],
    // Traces only: metrics are Prometheus (prom-client on /metrics), logs are pino on stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () =>
      (stopped ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          report(`spans not flushed within ${SHUTDOWN_FLUSH_MS} ms at shutdown; dropped`);
          resolve();
        }, SHUTDOWN_FLUSH_MS);
        sdk
          .shutdown()
          .catch((e: unknown) => report(`shutdown: ${String(e)}`))
          .finally(() => {
            clearTimeout(timer);
            resolve();
          });
      })),
  };
}

function diagToReport(report: (message: string) => void): DiagLogger {
  const log = (message: string, ...args: unknown[]) =>
    report([message, ...args.map((a) => (a instanceof Error ? a.message : JSON.stringify(a)))].join(' '));
  return { error: log, warn: log, info: () => {}, debug: () => {}, verbose: () => {} };
}
