// Integration suites (test/**/*.int.ts) run against a real broker, one file at a time: the
// global setup starts one broker for the run unless KAFKA_BROKERS names one.
/** @type {import('jest').Config} */
module.exports = {
  ...require('./jest.preset.cjs'),
  testMatch: ['<rootDir>/test/**/*.int.ts'],
  globalSetup: require.resolve('./tools/kafka/jest-global-setup.mjs'),
  globalTeardown: require.resolve('./tools/kafka/jest-global-teardown.mjs'),
  testTimeout: 120_000,
  maxWorkers: 1,
};
