// One Jest run for the whole house: unit, component, contract, end-to-end and browser tests.
// TypeScript goes through @swc/jest (fast, no type checking: `npm run typecheck` does that).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/services', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  globalSetup: '<rootDir>/shared/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/shared/src/testing/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
