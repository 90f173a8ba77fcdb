// Shared Jest settings: TypeScript through SWC (no type checking here; `typecheck` does that).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: false,
  clearMocks: true,
};

// Integration suites (test/**/*.int.ts) run against a real broker, one file at a time.
module.exports.integration = {
  ...module.exports,
  testMatch: ['<rootDir>/test/**/*.int.ts'],
  globalSetup: require.resolve('./tools/kafka/jest-global-setup.mjs'),
  globalTeardown: require.resolve('./tools/kafka/jest-global-teardown.mjs'),
  testTimeout: 120_000,
  maxWorkers: 1,
};
