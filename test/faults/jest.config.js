/**
 * `npm run test:faults`: the fault suite (fuzzing now; outages and restarts join it). Run by .ci/run
 * after `npm test`; bounded to a few minutes. Same transform as the main suite.
 */
const base = require('../../jest.config.js');

module.exports = {
  rootDir: '../..',
  testTimeout: 600_000,
  globalSetup: '<rootDir>/test/utils/global-setup.ts',
  globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: base.projects[0].extensionsToTreatAsEsm,
  transform: base.projects[0].transform,
  testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
};
