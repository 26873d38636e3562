/**
 * Browser tests: a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
 * against the production build in a process of its own. Run with `npm run test:browser`; kept out
 * of the main jest.config.js, whose projects match *.spec.ts and *.e2e-spec.ts only.
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', useESM: true }] },
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 60_000,
  // One Chromium and one server process at a time: the machine has 2 shared cores.
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/browser/global-setup.ts',
};
