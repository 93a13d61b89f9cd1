/** Pure unit tests only (no servers): `npx jest -c jest.unit.config.js test/unit`. */
const base = require('./jest.config.js');

module.exports = { ...base, globalSetup: undefined, globalTeardown: undefined, reporters: ['default'], roots: ['<rootDir>/test/unit'] };
