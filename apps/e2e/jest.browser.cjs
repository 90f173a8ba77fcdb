// The browser test (browser/**/*.browser.ts): Debian's Chromium through playwright-core, against
// the whole pipeline on a real broker. tools/scripts/test.mjs runs it only when Chromium exists.
/** @type {import('jest').Config} */
module.exports = {
  ...require('./jest.integration.cjs'),
  displayName: 'browser',
  testMatch: ['<rootDir>/browser/**/*.browser.ts'],
};
