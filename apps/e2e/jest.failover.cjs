// The broker-failover tests (test/*.failover.ts) on a three-broker cluster of their own (about
// 2.5 minutes): in `npm test` after the integration suites, or alone with `npm run test:failover`.
/** @type {import('jest').Config} */
module.exports = {
  ...require('./jest.integration.cjs'),
  testMatch: ['<rootDir>/test/**/*.failover.ts'],
  testTimeout: 300_000,
};
