// The preset's `integration` entry is a separate config (for test/**/*.int.ts), not a Jest option.
const { integration: _integration, ...preset } = require('../../jest.preset.cjs');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'ingest',
  // fastify's inject() loads light-my-request, which requires the ESM-only `cookie` package;
  // Jest can only load that after transforming it to CommonJS (without --experimental-vm-modules).
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
};
