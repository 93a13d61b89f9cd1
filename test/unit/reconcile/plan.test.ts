import { secretEntries, specProblems } from '../../../src/plan';

describe('planning the Secrets of a spec', () => {
  const spec = {
    kafka: { pool: 'dev-nais-dev', secretName: 'k' },
    openSearch: { instance: 'logs', access: 'admin', secretName: 'o' },
    valkey: [{ instance: 'cache', secretName: 'v1' }, { instance: 'sessions', access: 'read', secretName: 'v2' }],
  };

  it('asks for one Secret per service entry', () => {
    expect(secretEntries(spec)).toEqual([
      { service: 'kafka', secretName: 'k', pool: 'dev-nais-dev' },
      { service: 'opensearch', secretName: 'o', instance: 'logs', access: 'admin' },
      { service: 'valkey', secretName: 'v1', instance: 'cache', access: undefined },
      { service: 'valkey', secretName: 'v2', instance: 'sessions', access: 'read' },
    ]);
    expect(specProblems(spec, secretEntries(spec), ['dev-nais-dev'])).toEqual([]);
  });

  it('skips a kafka block without pool and an openSearch block without instance, as the reference', () => {
    expect(secretEntries({ kafka: { pool: '' }, openSearch: { secretName: 'x' } })).toEqual([]);
  });

  it('finds bad names, duplicates, missing instances and pools that are not allowed', () => {
    const bad = { kafka: { pool: 'other', secretName: 'Bad_Name' }, valkey: [{ secretName: 'dup' }, { instance: 'b', secretName: 'dup' }] };
    const reasons = specProblems(bad, secretEntries(bad), ['dev-nais-dev']).map((p) => p.reason);
    expect(reasons).toEqual(['InvalidSecretName', 'MissingInstance', 'DuplicateSecretName', 'PoolNotAllowed']);
  });
});
