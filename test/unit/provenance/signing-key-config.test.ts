// The signing key setting (the https-only Aiven URL is tested with the rest of
// the configuration in test/unit/cli/runtime-config.test.ts).
import { loadConfig } from '../../../src/config';

const base = { AIVENATOR_AIVEN_TOKEN: 't' };

it('reads the signing key setting', () => {
  expect(loadConfig({ ...base }).signingKey).toBeUndefined();
  expect(loadConfig({ ...base, AIVENATOR_SIGNING_KEY: 'k' }).signingKey).toBe('k');
});
