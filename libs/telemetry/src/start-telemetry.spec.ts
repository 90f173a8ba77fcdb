import { trace } from '@opentelemetry/api';
import { startTelemetry } from './start-telemetry';

describe('startTelemetry', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('does nothing at all with OTEL_SDK_DISABLED=true', async () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    const telemetry = startTelemetry({ service: 'test' });
    expect(telemetry.enabled).toBe(false);
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
    await telemetry.shutdown();
  });

  it('names the service and the instance, records spans, and shuts down once despite a dead backend', async () => {
    // A backend nobody listens on: spans are recorded, the flush at shutdown fails.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
    process.env.SERVICE_INSTANCE_ID = 'pod-7';
    process.env.SERVICE_VERSION = '9.9.9';
    const warnings: string[] = [];
    const telemetry = startTelemetry({ service: 'test', warn: (m) => warnings.push(m) });
    try {
      expect(telemetry.enabled).toBe(true);
      const span = trace.getTracer('t').startSpan('s') as unknown as {
        isRecording(): boolean;
        resource: { attributes: Record<string, unknown> };
        end(): void;
      };
      expect(span.isRecording()).toBe(true);
      expect(span.resource.attributes).toMatchObject({
        'service.name': 'threadcast-test',
        'service.version': '9.9.9',
        'service.instance.id': 'pod-7',
      });
      span.end();
    } finally {
      await telemetry.shutdown();
      await telemetry.shutdown();
    }
    // The failed export is reported, once, not thrown.
    expect(warnings.length).toBeLessThanOrEqual(1);
    for (const w of warnings) expect(w).toMatch(/^tracing: /);
  });
});
