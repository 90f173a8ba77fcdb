// What `npm start` does about tracing, decided up front from its flags, the environment and
// whether the local Jaeger is built: pure functions, so the decision and the lines it prints are
// unit-tested (tools/trace/src/tracing-plan.spec.ts) apart from the processes it starts.
//
//   off       --no-tracing, THREADCAST_TRACING=off or OTEL_SDK_DISABLED=true: no Jaeger, the
//             services get OTEL_SDK_DISABLED=true
//   external  OTEL_EXPORTER_OTLP_ENDPOINT is set: the services export there, no Jaeger
//   cached    Jaeger is built: start it (about a second) and wait for it before the services, so
//             the first comment already has a trace
//   building  Jaeger is not built (a first start: minutes of `go build`): its ports are chosen
//             now and the services get its OTLP endpoint at once, but they start without waiting;
//             it is built at low priority in the background and started on those ports. Until
//             then the services' exports fail (dropped, a WARN at most once a minute each).

/** Values of THREADCAST_TRACING that turn tracing off (as tools/jaeger's tracingDisabled). */
const OFF_VALUES = ['off', 'false', '0', 'no'];

/** Local wall-clock time as HH:MM, the way the start output shows times. */
export function hhmm(date) {
  return [date.getHours(), date.getMinutes()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * @param {{ argv: readonly string[], env: Record<string, string | undefined>,
 *   jaegerBuilt: boolean, jaegerVersion: string }} input
 * @returns {{ mode: 'off' | 'external' | 'cached' | 'building', startJaeger: boolean,
 *   waitForJaeger: boolean, lowPriorityBuild: boolean, line: string }}
 *   startJaeger: run the local Jaeger (building it first if needed); waitForJaeger: before the
 *   services start; line: what the start output says now.
 */
export function tracingPlan({ argv, env, jaegerBuilt, jaegerVersion }) {
  const off = (why) => ({
    mode: 'off',
    startJaeger: false,
    waitForJaeger: false,
    lowPriorityBuild: false,
    line: `tracing: off (${why}; the services run with OTEL_SDK_DISABLED=true)`,
  });
  if (argv.includes('--no-tracing')) return off('--no-tracing');
  if (OFF_VALUES.includes(String(env.THREADCAST_TRACING ?? '').toLowerCase())) {
    return off(`THREADCAST_TRACING=${env.THREADCAST_TRACING}`);
  }
  if (String(env.OTEL_SDK_DISABLED).toLowerCase() === 'true') return off('OTEL_SDK_DISABLED=true');
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    return {
      mode: 'external',
      startJaeger: false,
      waitForJaeger: false,
      lowPriorityBuild: false,
      line: `tracing: on, exported to ${env.OTEL_EXPORTER_OTLP_ENDPOINT} (OTEL_EXPORTER_OTLP_ENDPOINT; no local Jaeger)`,
    };
  }
  if (jaegerBuilt) {
    return {
      mode: 'cached',
      startJaeger: true,
      waitForJaeger: true,
      lowPriorityBuild: false,
      line: `tracing: on (local Jaeger ${jaegerVersion}, built; starting it before the services)`,
    };
  }
  return {
    mode: 'building',
    startJaeger: true,
    waitForJaeger: false,
    lowPriorityBuild: true,
    line:
      `tracing: building Jaeger ${jaegerVersion} in the background (first start only: minutes; ` +
      'cached for the next one); the services start now, and spans until it is ready are dropped',
  };
}

/** Said when a Jaeger built in the background is up: traces start here. */
export function tracingReadyLine({ now, builtInMs }) {
  return (
    `tracing: on: Jaeger is ready (built and started in ${Math.round(builtInMs / 1000)} s); traces from ${hhmm(now)} ` +
    '(comments posted before then have none)'
  );
}

/** Said when a Jaeger built in the background could not be built or started: the pipeline runs on. */
export function tracingFailedLine(message) {
  return (
    `tracing: off: Jaeger could not be built or started (${message}); the services keep running ` +
    'and drop their spans. Next time: npm start -- --no-tracing, or fix the cause above'
  );
}
