// jose (minting test tokens) is ESM-only; Jest's CommonJS runtime loads it only after SWC
// compiles it to CommonJS.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.integration.preset.cjs'),
  displayName: 'e2e',
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
