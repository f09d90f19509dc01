// `npm run mutate`: StrykerJS over the pure core, with the project's own jest setup. Slow (each
// mutant re-runs the tests that cover it), so it is not part of `npm test` or CI; run one folder
// with `npm run mutate -- --mutate 'src/plan/**/*.ts'`. Incremental: a re-run tests only mutants
// whose code or tests changed (the record is reports/stryker-incremental.json, not committed).
import jestConfig from './jest.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // ts-jest's default-esm preset needs Node's VM modules, as in `npm test`.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    // Only the tests of the pure core: no registry, Redis or GitHub fake is needed to kill a mutant.
    config: {
      ...jestConfig,
      testMatch: [
        '<rootDir>/test/dockerfile/**/*.test.ts',
        '<rootDir>/test/image/**/*.test.ts',
        '<rootDir>/test/plan/**/*.test.ts',
        '<rootDir>/test/config/**/*.test.ts',
      ],
    },
    // Each mutant runs only the test files that import the mutated file: without this, jest loads
    // every test file of the core for each mutant (~5 s), and under load many runs passed the
    // timeout and were counted as "timed out" (detected) when nothing had caught them.
    enableFindRelatedTests: true,
  },
  mutate: [
    'src/dockerfile/**/*.ts',
    'src/image/**/*.ts',
    'src/plan/**/*.ts',
    'src/config/**/*.ts',
    // Writes a file from the command line; not part of the core.
    '!src/config/emit-schema.ts',
  ],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
