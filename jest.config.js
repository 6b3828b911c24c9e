/** Tests run on the compiled output of `tsc` (npm test compiles first), so no transform is needed. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/__tests__'],
  testMatch: ['**/*.test.js'],
  maxWorkers: 2,
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
