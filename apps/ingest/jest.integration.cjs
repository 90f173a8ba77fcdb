/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.integration.preset.cjs'),
  displayName: 'ingest:integration',
  // See jest.config.cjs: fastify's inject() needs the ESM-only `cookie` package transformed.
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
};
