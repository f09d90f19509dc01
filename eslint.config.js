import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * What each folder of src/ may import (docs/architecture.md explains why). A folder not named in
 * `from` of its zone may be imported; everything in `from` may not.
 */
const layers = [
  // errors.ts (the one error describer) may be imported from anywhere and imports nothing.
  { target: './src/errors.ts', from: './src', except: ['./errors.ts'] },
  // text-bytes.ts (how size limits count) likewise.
  { target: './src/text-bytes.ts', from: './src', except: ['./text-bytes.ts'] },
  // The pure core's leaves.
  { target: './src/image', from: './src', except: ['./image', './errors.ts', './text-bytes.ts'] },
  {
    target: './src/dockerfile',
    from: './src',
    except: ['./dockerfile', './image', './errors.ts', './text-bytes.ts'],
  },
  {
    target: './src/config',
    from: './src',
    except: ['./config', './image', './errors.ts', './text-bytes.ts'],
  },
  {
    target: './src/registry',
    from: './src',
    except: ['./registry', './image', './config', './errors.ts', './text-bytes.ts'],
  },
  // The plan is pure: registry shapes and pure helpers only, never the client.
  {
    target: './src/plan',
    from: './src',
    except: [
      './plan',
      './config',
      './dockerfile',
      './image',
      './registry/types.ts',
      './registry/platform.ts',
      './attestations/diff.ts',
      './attestations/types.ts',
      './errors.ts',
      './text-bytes.ts',
    ],
  },
  // Adapters and the use case: nothing above them.
  { target: './src/github', from: ['./src/repository', './src/app', './src/cli'] },
  { target: './src/repository', from: ['./src/app', './src/cli'] },
  { target: './src/app', from: ['./src/cli'] },
  { target: './src/inventory', from: ['./src/app'] },
  // Onboarding's decision and texts are pure: the adapters and the use case call them, not back.
  { target: './src/onboarding', from: ['./src/github', './src/repository', './src/app', './src/cli'] },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'schema/', '.tmp/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      // Without the extensions and parser, import-x reads no .ts dependency and finds no cycle.
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Type-checked: a promise is awaited, returned, or explicitly let go (`void`), never dropped.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layers }] },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
