/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.preset.cjs').integration, displayName: 'e2e' };
