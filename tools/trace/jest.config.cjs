/** @type {import('jest').Config} */
const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'trace',
  // tracing-plan.spec.ts tests tools/scripts' plain ESM (.mjs): compile it to CommonJS like the .ts.
  transform: { ...preset.transform, '^.+\\.mjs$': preset.transform['^.+\\.(t|j)sx?$'] },
};
