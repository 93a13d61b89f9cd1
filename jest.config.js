/** Jest runs TypeScript through ts-jest. @kubernetes/client-node and its
 * dependencies ship as ES modules only, so they are transformed too. */
const esmOnly = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose'];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true }, diagnostics: { warnOnly: false } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  globalSetup: '<rootDir>/test/env/global-setup.ts',
  globalTeardown: '<rootDir>/test/env/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/env/log-tail-reporter.js'],
  // The secret-leak scan (test/leak) last.
  testSequencer: '<rootDir>/test/env/sequencer.js',
  testTimeout: 60000,
  forceExit: true,
};
