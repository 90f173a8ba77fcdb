// The CI smoke run: every scenario at tiny sizes on the run's broker, plus runs with a fault that
// must be reported as LOST. Nothing here asserts speed.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.integration.preset.cjs'),
  displayName: 'bench:integration',
  testTimeout: 300_000,
};
