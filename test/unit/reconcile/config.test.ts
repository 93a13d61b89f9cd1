import { ConfigError, loadConfig, parseDuration } from '../../../src/config';

describe('configuration from the environment', () => {
  it('reads the reference variables with their defaults', () => {
    const config = loadConfig({ AIVENATOR_AIVEN_TOKEN: 't', AIVENATOR_PROJECTS: 'a b  c' });
    expect(config).toMatchObject({
      aivenToken: 't', projects: ['a', 'b', 'c'], mainProject: 'dev-nais-dev', metricsAddress: '127.0.0.1:8080',
      syncPeriodMs: 3_600_000, aivenUrl: 'https://api.aiven.io', temporal: { namespace: 'default', taskQueue: 'aivenator' },
    });
  });

  it('requires a token and explains bad values', () => {
    expect(() => loadConfig({})).toThrow(new ConfigError('AIVENATOR_AIVEN_TOKEN is required'));
    expect(() => loadConfig({ AIVENATOR_AIVEN_TOKEN: 't', AIVENATOR_SYNC_PERIOD: 'soon' })).toThrow(/AIVENATOR_SYNC_PERIOD must be a duration/);
    expect(() => loadConfig({ AIVENATOR_AIVEN_TOKEN: 't', AIVENATOR_LOG_FORMAT: 'xml' })).toThrow(/json or text/);
    expect(() => loadConfig({ AIVENATOR_AIVEN_TOKEN: 't', AIVENATOR_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow(/positive whole number/);
  });

  it('parses Go durations', () => {
    expect(parseDuration('x', '1h30m')).toBe(5_400_000);
    expect(parseDuration('x', '250ms')).toBe(250);
    expect(parseDuration('x', '0')).toBe(0);
    expect(() => parseDuration('x', '1d')).toThrow(ConfigError);
  });
});
