/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.integration.preset.cjs'), displayName: 'route:integration' };
