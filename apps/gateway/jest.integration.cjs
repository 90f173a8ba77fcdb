// jose is ESM-only; see jest.config.cjs.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.integration.preset.cjs'),
  displayName: 'gateway:integration',
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
