// The chart and image suites (test/**/*.test.ts): they need helm, kubeconform and the schemas
// (built on first use, see lib/tools.mjs) and the app bundles, so they are not part of the unit
// `test` target; check.mjs runs them after `helm lint`, `helm template` and kubeconform.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'helm',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // First use builds the tools from source (minutes); later runs take seconds.
  testTimeout: 900_000,
};
