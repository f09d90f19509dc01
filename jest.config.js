/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
  setupFilesAfterEnv: ['<rootDir>/test/support/unhook-http.ts'],
  // nock's interceptor is reached after jest's soft global cleanup; keep globals, silence the noise.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};
