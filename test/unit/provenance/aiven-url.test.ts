// Hardening around provenance: the Aiven token only travels over https
// (plain http to a loopback fake, or with the explicit escape hatch).
import { ConfigError, loadConfig } from '../../../src/config';

const base = { AIVENATOR_AIVEN_TOKEN: 't' };

describe('AIVENATOR_AIVEN_URL', () => {
  it('accepts https and a local fake over http', () => {
    expect(loadConfig({ ...base }).aivenUrl).toBe('https://api.aiven.io');
    expect(loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'https://aiven.example.com/' }).aivenUrl).toBe('https://aiven.example.com');
    expect(loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'http://127.0.0.1:1234' }).aivenUrl).toBe('http://127.0.0.1:1234');
    expect(loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'http://localhost:1234' }).aivenUrl).toBe('http://localhost:1234');
  });

  it('refuses plain http elsewhere unless explicitly allowed', () => {
    expect(() => loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'http://aiven.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'http://aiven.example.com' })).toThrow(/must be https/);
    expect(() => loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'ftp://127.0.0.1' })).toThrow(/must be https/);
    expect(() => loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'not a url' })).toThrow(/must be a URL/);
    expect(loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'http://fake-aiven:8080', AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true' }).aivenUrl).toBe('http://fake-aiven:8080');
  });

  it('reads the signing key setting', () => {
    expect(loadConfig({ ...base }).signingKey).toBeUndefined();
    expect(loadConfig({ ...base, AIVENATOR_SIGNING_KEY: 'k' }).signingKey).toBe('k');
  });
});
