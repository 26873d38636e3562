/**
 * NestJS 12 ships as ESM only and Jest can load it only in its native ESM mode on Node 20
 * (`node --experimental-vm-modules`), so specs are compiled by ts-jest as ES modules.
 * Unit specs sit beside the code; e2e specs boot the real app against a real PostgreSQL.
 */
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', useESM: true }] },
};

module.exports = {
  // A loaded 2-core machine runs e2e files side by side: no test may depend on Jest's 5 s default.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/utils/global-setup.ts',
  globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
