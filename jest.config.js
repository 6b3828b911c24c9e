/** Tests run on the compiled output in dist/ (npm test compiles first with esbuild), so no transform is needed. */
module.exports = {
  // Jest's node environment, which also removes each test file's scratch folders when the file ends.
  testEnvironment: '<rootDir>/scripts/jest-environment.js',
  roots: ['<rootDir>/dist/__tests__'],
  testMatch: ['**/*.test.js'],
  // Token creation stacks are skipped in tests as in the app (see __tests__/setup.ts).
  setupFiles: ['<rootDir>/dist/__tests__/setup.js'],
  // Records cdktf's Testing.app()/fullSynth output folders for removal (__tests__/scratch.ts).
  setupFilesAfterEnv: ['<rootDir>/dist/__tests__/setup-after-env.js'],
  // dist/ is already plain CommonJS (esbuild): no babel transform (it cost seconds per file cold).
  transform: {},
  maxWorkers: 2,
  // Longest files first, also in a fresh clone with no recorded durations (scripts/test-sequencer.js).
  testSequencer: '<rootDir>/scripts/test-sequencer.js',
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
