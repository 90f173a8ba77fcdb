// Against a real Jaeger only (no broker): JAEGER_QUERY_URL and OTEL_EXPORTER_OTLP_ENDPOINT from the
// environment, else one Jaeger started for the run (tools/jaeger/jest-global-setup.mjs).
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'trace:integration',
  testMatch: ['<rootDir>/test/**/*.int.ts'],
  globalSetup: require.resolve('../jaeger/jest-global-setup.mjs'),
  globalTeardown: require.resolve('../jaeger/jest-global-teardown.mjs'),
  testTimeout: 60_000,
  maxWorkers: 1,
};
