// jose is ESM-only; Jest's CommonJS runtime loads it only after SWC compiles it to CommonJS.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'gateway',
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
