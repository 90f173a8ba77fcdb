// The start-mode decision of `npm start` (tools/scripts/lib/tracing-plan.mjs): what it does about
// tracing and what it prints, for each case. Lives here, with the other tracing tools' tests:
// tools/scripts is plain ESM, not an Nx project (as tools/jaeger for scripts/record-fixtures.ts).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { hhmm, tracingFailedLine, tracingPlan, tracingReadyLine } from '../../scripts/lib/tracing-plan.mjs';

const base = { argv: [], env: {}, jaegerBuilt: true, jaegerVersion: '1.76.0' };

describe('tracingPlan', () => {
  it('cached: starts the built Jaeger and waits for it before the services, and says tracing is on', () => {
    const plan = tracingPlan(base);
    expect(plan).toMatchObject({
      mode: 'cached',
      startJaeger: true,
      waitForJaeger: true,
      lowPriorityBuild: false,
    });
    expect(plan.line).toMatch(/^tracing: on \(local Jaeger 1\.76\.0/);
  });

  it('building: starts Jaeger without waiting for it, builds at low priority, and says spans are dropped until then', () => {
    const plan = tracingPlan({ ...base, jaegerBuilt: false });
    expect(plan).toMatchObject({
      mode: 'building',
      startJaeger: true,
      waitForJaeger: false,
      lowPriorityBuild: true,
    });
    expect(plan.line).toMatch(/^tracing: building Jaeger 1\.76\.0 in the background/);
    expect(plan.line).toContain('spans until it is ready are dropped');
  });

  it.each([
    ['--no-tracing', { argv: ['--no-tracing'] }, '--no-tracing'],
    ['THREADCAST_TRACING=off', { env: { THREADCAST_TRACING: 'off' } }, 'THREADCAST_TRACING=off'],
    ['THREADCAST_TRACING=FALSE', { env: { THREADCAST_TRACING: 'FALSE' } }, 'THREADCAST_TRACING=FALSE'],
    ['OTEL_SDK_DISABLED=true', { env: { OTEL_SDK_DISABLED: 'true' } }, 'OTEL_SDK_DISABLED=true'],
  ])('off (%s): no Jaeger, built or not, and says why', (_name, given, why) => {
    for (const jaegerBuilt of [true, false]) {
      const plan = tracingPlan({ ...base, jaegerBuilt, ...given });
      expect(plan).toMatchObject({ mode: 'off', startJaeger: false, waitForJaeger: false });
      expect(plan.line).toBe(`tracing: off (${why}; the services run with OTEL_SDK_DISABLED=true)`);
    }
  });

  it('off wins over an external endpoint', () => {
    const plan = tracingPlan({
      ...base,
      argv: ['--no-tracing'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
    });
    expect(plan.mode).toBe('off');
  });

  it('external: OTEL_EXPORTER_OTLP_ENDPOINT set, so no local Jaeger even when none is built', () => {
    for (const jaegerBuilt of [true, false]) {
      const plan = tracingPlan({
        ...base,
        jaegerBuilt,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      });
      expect(plan).toMatchObject({ mode: 'external', startJaeger: false, waitForJaeger: false });
      expect(plan.line).toBe(
        'tracing: on, exported to http://collector:4318 (OTEL_EXPORTER_OTLP_ENDPOINT; no local Jaeger)',
      );
    }
  });

  it('THREADCAST_TRACING with another value does not turn tracing off', () => {
    expect(tracingPlan({ ...base, env: { THREADCAST_TRACING: 'on' } }).mode).toBe('cached');
  });
});

describe('lines said later', () => {
  it('ready: tracing is on, and traces start at the local time it became ready', () => {
    const now = new Date(2026, 11, 5, 9, 7, 30);
    expect(hhmm(now)).toBe('09:07');
    expect(tracingReadyLine({ now, builtInMs: 41_600 })).toBe(
      'tracing: on: Jaeger is ready (built and started in 42 s); traces from 09:07 (comments posted before then have none)',
    );
  });

  it('failed: tracing is off and the pipeline keeps running', () => {
    const line = tracingFailedLine('cannot run `go`');
    expect(line).toMatch(/^tracing: off: Jaeger could not be built or started \(cannot run `go`\)/);
    expect(line).toContain('the services keep running');
  });
});
