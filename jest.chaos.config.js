/** The long chaos form, `npm run test:chaos`: the chaos suite at full size
 * (200 applications and 24 worker SIGKILLs, several restarts of Temporal and
 * the kube-apiserver, 120 applications against a faulty Aiven), then the
 * secret-leak scan over everything it produced. Sizes: test/chaos/scenario.ts. */
const base = require('./jest.config.js');

process.env.AIVENATOR_CHAOS = process.env.AIVENATOR_CHAOS || 'long';

module.exports = { ...base, roots: ['<rootDir>/test/chaos', '<rootDir>/test/leak'], testTimeout: 40 * 60_000 };
