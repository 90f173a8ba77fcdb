// One lint config for the whole workspace. The module-boundary rules are the architecture:
// apps never import apps, libs never import apps, only libs/kafka talks to kafkajs and only
// the gateway talks to ws.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

// Flat config: a later `no-restricted-imports` replaces an earlier one for the same file, so each
// area gets one rule listing everything it may not import.
const KAFKAJS = { name: 'kafkajs', message: 'Only libs/kafka talks to kafkajs; use @threadcast/kafka.' };
const WS = { name: 'ws', message: 'Only the gateway (and tests) use ws.' };
const restrict = (files, paths) => ({
  files,
  rules: { 'no-restricted-imports': paths.length ? ['error', { paths }] : 'off' },
});
const WS_ALLOWED = ['apps/gateway/**', 'apps/e2e/**', 'tools/**', '**/*.spec.ts'];

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '.nx/**',
      '**/*.cjs',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:ingest', 'scope:shared'] },
            { sourceTag: 'scope:enrich', onlyDependOnLibsWithTags: ['scope:enrich', 'scope:shared'] },
            { sourceTag: 'scope:route', onlyDependOnLibsWithTags: ['scope:route', 'scope:shared'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
            { sourceTag: 'scope:ops', onlyDependOnLibsWithTags: ['scope:ops', 'scope:shared'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Name every export in index.ts (export { a, b } from ...), never export *.',
        },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read the environment only through libs/config at boot.',
        },
      ],
    },
  },
  {
    // Every regex on a request or record path runs on what a client sent: none may backtrack
    // super-linearly, nor be retried from every start position of a long run (issue 15:
    // `/\.+$/` on a 10,000-character mention candidate stalled enrich for half a second).
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': ['error', { ignorePartial: false, ignoreSticky: false }],
    },
  },
  restrict(['**/*.ts'], [KAFKAJS, WS]),
  restrict(['libs/kafka/**/*.ts'], [WS]),
  restrict(WS_ALLOWED, [KAFKAJS]),
  restrict(['libs/kafka/**/*.spec.ts'], []),
  {
    // Config reads the environment by design; tests and tools set it for child processes.
    files: [
      'libs/config/**/*.ts',
      'libs/test-support/**/*.ts',
      '**/*.spec.ts',
      '**/test/**/*.ts',
      'apps/e2e/**/*.ts',
      'tools/**/*.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
];
