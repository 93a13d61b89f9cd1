import {
  OPENSEARCH_SECRET_KEYS,
  mergeOpenSearchAcl,
  openSearchAccess,
  openSearchAddresses,
  openSearchAnnotations,
  openSearchCleanupTarget,
  openSearchSecretData,
  openSearchServiceCandidates,
  removeOpenSearchAclUser,
} from '../../../src/handlers/opensearch';
import { MissingAnnotationError, MissingServiceComponentError, baseSecretMetadata, commonSecretData } from '../../../src/handlers/secret-meta';
import { openSearchUserName } from '../../../src/naming/names';
import type { OpenSearchAclConfig, ServiceComponent, ServiceInfo } from '../../../src/aiven/types';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function osService(components?: ServiceComponent[]): ServiceInfo {
  return { service_name: 'opensearch-team-a-logs', service_type: 'opensearch', state: 'RUNNING', service_uri: 'x', components };
}

const os: ServiceComponent = { component: 'opensearch', host: 'os.example', port: 26482, route: 'dynamic', usage: 'primary' };
const dash: ServiceComponent = { component: 'opensearch_dashboards', host: 'dash.example', port: 443, route: 'dynamic', usage: 'primary' };

describe('openSearchServiceCandidates', () => {
  it('tries opensearch-<ns>-<instance> then the legacy name', () => {
    expect(openSearchServiceCandidates('team-a', 'logs')).toEqual(['opensearch-team-a-logs', 'logs']);
    // naiserator sends the full name: the first candidate is then nonsense, the legacy one is right.
    expect(openSearchServiceCandidates('team-a', 'opensearch-team-a-logs')).toEqual(['opensearch-team-a-opensearch-team-a-logs', 'opensearch-team-a-logs']);
  });
});

describe('openSearchAccess', () => {
  it('defaults to read', () => {
    expect(openSearchAccess()).toBe('read');
    expect(openSearchAccess('')).toBe('read');
    expect(openSearchAccess('admin')).toBe('admin');
  });
});

describe('openSearchAddresses', () => {
  it('gives https URIs for opensearch and dashboards', () => {
    expect(openSearchAddresses(osService([dash, os]))).toEqual({
      uri: 'https://os.example:26482',
      host: 'os.example',
      port: '26482',
      dashboardUri: 'https://dash.example:443',
      dashboardHost: 'dash.example',
      dashboardPort: '443',
    });
  });

  it('leaves the dashboard empty with port "0" when there is none', () => {
    expect(openSearchAddresses(osService([os]))).toEqual({
      uri: 'https://os.example:26482',
      host: 'os.example',
      port: '26482',
      dashboardUri: '',
      dashboardHost: '',
      dashboardPort: '0',
    });
  });

  it('fails without an opensearch/primary component', () => {
    expect(() => openSearchAddresses(osService([dash]))).toThrow(MissingServiceComponentError);
    expect(() => openSearchAddresses(osService(undefined))).toThrow(MissingServiceComponentError);
    expect(() => openSearchAddresses(osService([{ ...os, usage: 'replica' }]))).toThrow(MissingServiceComponentError);
  });
});

describe('openSearchSecretData', () => {
  it('has exactly the eight OPEN_SEARCH_* keys', () => {
    const data = openSearchSecretData({ username: 'team-a-r-3D_', password: 'pw' }, openSearchAddresses(osService([os])));
    expect(Object.keys(data).sort()).toEqual(
      [
        'OPEN_SEARCH_USERNAME',
        'OPEN_SEARCH_PASSWORD',
        'OPEN_SEARCH_URI',
        'OPEN_SEARCH_HOST',
        'OPEN_SEARCH_PORT',
        'OPEN_SEARCH_DASHBOARD_URI',
        'OPEN_SEARCH_DASHBOARD_HOST',
        'OPEN_SEARCH_DASHBOARD_PORT',
      ].sort(),
    );
    expect(data).toEqual({
      OPEN_SEARCH_USERNAME: 'team-a-r-3D_',
      OPEN_SEARCH_PASSWORD: 'pw',
      OPEN_SEARCH_URI: 'https://os.example:26482',
      OPEN_SEARCH_HOST: 'os.example',
      OPEN_SEARCH_PORT: '26482',
      OPEN_SEARCH_DASHBOARD_URI: '',
      OPEN_SEARCH_DASHBOARD_HOST: '',
      OPEN_SEARCH_DASHBOARD_PORT: '0',
    });
    expect([...OPENSEARCH_SECRET_KEYS].sort()).toEqual(Object.keys(data).sort());
  });

  it('with commonSecretData matches the Go test key set', () => {
    // pkg/services/opensearch/opensearch_test.go: ConsistOf(8 OPEN_SEARCH_* keys, AIVEN_CA, AIVEN_SECRET_UPDATED).
    const all = { ...commonSecretData(new Date(0), 'ca'), ...openSearchSecretData({ username: 'u', password: 'p' }, openSearchAddresses(osService([os, dash]))) };
    expect(Object.keys(all)).toHaveLength(10);
    expect(Object.keys(all)).toEqual(expect.arrayContaining(['AIVEN_CA', 'AIVEN_SECRET_UPDATED', 'OPEN_SEARCH_DASHBOARD_PORT']));
  });
});

describe('openSearchAnnotations', () => {
  it('merged with the base metadata gives exactly the Go test annotations', () => {
    // pkg/services/opensearch/opensearch_test.go "Uses the existing user": user team-a, service my-service, project my-project.
    const annotations = {
      ...baseSecretMetadata({ name: 'test-app', namespace: 'my-namespace', spec: {} }).annotations,
      ...openSearchAnnotations('team-a', 'my-service', 'my-project'),
    };
    expect(annotations).toEqual({
      'opensearch.aiven.nais.io/serviceName': 'my-service',
      'opensearch.aiven.nais.io/project': 'my-project',
      'nais.io/deploymentCorrelationID': '',
      'aivenator.aiven.nais.io/protected': 'false',
      'opensearch.aiven.nais.io/serviceUser': 'team-a',
    });
  });

  it('uses the user name the Go test expects for a new user', () => {
    // opensearch_test.go "Creates and returns creds for the new user": Create(testNamespace+"-r-3D_").
    expect(openSearchUserName('my-namespace', 'read', 0, 'test-app')).toBe('my-namespace-r-3D_');
  });
});

describe('mergeOpenSearchAcl', () => {
  const other = { username: 'other-team-w-abc', rules: [{ index: 'logs-*', permission: 'write' as const }] };

  it('adds _* and * for a user without an entry, enabling ACLs', () => {
    const input = deepFreeze<OpenSearchAclConfig>({ acls: [other], enabled: false, extendedAcl: true });
    const { config, changed } = mergeOpenSearchAcl(input, 'team-a-r-3D_', 'read');
    expect(changed).toBe(true);
    expect(config).toEqual({
      acls: [
        other,
        {
          username: 'team-a-r-3D_',
          rules: [
            { index: '_*', permission: 'read' },
            { index: '*', permission: 'read' },
          ],
        },
      ],
      enabled: true,
      extendedAcl: true,
    });
  });

  it('fills an entry whose rules are null (the Go test fixture) with the default access', () => {
    // opensearch_test.go mockAivenReturnAclManagerGetOk: [{Rules: nil, Username: "team-a"}], Enabled: true; access "" → read.
    const input = { acls: [{ username: 'team-a', rules: null as unknown as [] }], enabled: true, extendedAcl: false };
    const { config, changed } = mergeOpenSearchAcl(input, 'team-a', '');
    expect(changed).toBe(true);
    expect(config.acls).toEqual([
      {
        username: 'team-a',
        rules: [
          { index: '_*', permission: 'read' },
          { index: '*', permission: 'read' },
        ],
      },
    ]);
  });

  it('is idempotent: a second merge changes nothing', () => {
    const first = mergeOpenSearchAcl({ acls: [other], enabled: true }, 'u', 'readwrite');
    const second = mergeOpenSearchAcl(deepFreeze(first.config), 'u', 'readwrite');
    expect(second.changed).toBe(false);
    expect(second.config).toEqual(first.config);
  });

  it('reports a change when only `enabled` flips', () => {
    const full = {
      acls: [
        {
          username: 'u',
          rules: [
            { index: '_*', permission: 'admin' as const },
            { index: '*', permission: 'admin' as const },
          ],
        },
      ],
      enabled: false,
    };
    const { config, changed } = mergeOpenSearchAcl(full, 'u', 'admin');
    expect(changed).toBe(true);
    expect(config.enabled).toBe(true);
    expect(config.acls).toEqual(full.acls);
  });

  it('appends only the missing rule to the existing entry, keeping its other rules', () => {
    const input = deepFreeze<OpenSearchAclConfig>({
      acls: [
        { username: 'u', rules: [{ index: 'custom', permission: 'deny' }, { index: '*', permission: 'write' }] },
        other,
      ],
      enabled: true,
    });
    const { config, changed } = mergeOpenSearchAcl(input, 'u', 'write');
    expect(changed).toBe(true);
    expect(config.acls).toEqual([
      {
        username: 'u',
        rules: [
          { index: 'custom', permission: 'deny' },
          { index: '*', permission: 'write' },
          { index: '_*', permission: 'write' },
        ],
      },
      other,
    ]);
  });

  it('adds rules for a new access level next to the old ones (Go Add compares index AND permission)', () => {
    const input = {
      acls: [
        {
          username: 'u',
          rules: [
            { index: '_*', permission: 'read' as const },
            { index: '*', permission: 'read' as const },
          ],
        },
      ],
      enabled: true,
    };
    const { config } = mergeOpenSearchAcl(input, 'u', 'admin');
    expect(config.acls[0]!.rules).toEqual([
      { index: '_*', permission: 'read' },
      { index: '*', permission: 'read' },
      { index: '_*', permission: 'admin' },
      { index: '*', permission: 'admin' },
    ]);
  });

  it('with the user listed twice, counts rules in either entry and appends to the last one (like Go)', () => {
    const input = deepFreeze<OpenSearchAclConfig>({
      acls: [
        { username: 'u', rules: [{ index: '_*', permission: 'read' }] },
        other,
        { username: 'u', rules: [] },
      ],
      enabled: true,
    });
    const { config } = mergeOpenSearchAcl(input, 'u', 'read');
    expect(config.acls).toEqual([
      { username: 'u', rules: [{ index: '_*', permission: 'read' }] },
      other,
      { username: 'u', rules: [{ index: '*', permission: 'read' }] },
    ]);
  });

  it('never loses other users or unknown fields, and does not mutate its input', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ username: `user-${i}`, rules: [{ index: `idx-${i}`, permission: 'read' as const }] }));
    const input = { acls: many, enabled: true, extendedAcl: false, futureField: 'kept' } as OpenSearchAclConfig;
    const snapshot = JSON.parse(JSON.stringify(input));
    const { config } = mergeOpenSearchAcl(deepFreeze(input), 'new-user', 'read');
    expect(JSON.parse(JSON.stringify(input))).toEqual(snapshot);
    expect(config.acls.slice(0, 20)).toEqual(many);
    expect(config.acls).toHaveLength(21);
    expect((config as unknown as Record<string, unknown>).futureField).toBe('kept');
    expect(config.extendedAcl).toBe(false);
  });

  it('treats missing acls as empty', () => {
    const { config } = mergeOpenSearchAcl({ enabled: false } as unknown as OpenSearchAclConfig, 'u', undefined);
    expect(config).toEqual({
      acls: [
        {
          username: 'u',
          rules: [
            { index: '_*', permission: 'read' },
            { index: '*', permission: 'read' },
          ],
        },
      ],
      enabled: true,
    });
  });
});

describe('removeOpenSearchAclUser', () => {
  const u = { username: 'u', rules: [{ index: '*', permission: 'read' as const }] };
  const v = { username: 'v', rules: [{ index: 'x', permission: 'admin' as const }] };

  it('removes every entry of the user and nothing else', () => {
    const input = deepFreeze<OpenSearchAclConfig>({ acls: [u, v, { username: 'u', rules: [] }], enabled: true, extendedAcl: true });
    const { config, changed } = removeOpenSearchAclUser(input, 'u');
    expect(changed).toBe(true);
    expect(config).toEqual({ acls: [v], enabled: true, extendedAcl: true });
    expect(input.acls).toHaveLength(3);
  });

  it('reports no change for an unknown user and keeps `enabled` as it was', () => {
    const { config, changed } = removeOpenSearchAclUser({ acls: [v], enabled: false }, 'u');
    expect(changed).toBe(false);
    expect(config).toEqual({ acls: [v], enabled: false });
  });

  it('undoes a merge', () => {
    const start = { acls: [v], enabled: true };
    const merged = mergeOpenSearchAcl(start, 'u', 'write').config;
    expect(removeOpenSearchAclUser(merged, 'u').config).toEqual(start);
  });
});

describe('openSearchCleanupTarget', () => {
  const full = {
    'opensearch.aiven.nais.io/serviceName': 'opensearch-team-a-logs',
    'opensearch.aiven.nais.io/serviceUser': 'team-a-r-3D_',
    'opensearch.aiven.nais.io/project': 'nav-dev',
  };

  it('does nothing without the serviceName annotation', () => {
    expect(openSearchCleanupTarget(undefined)).toBeNull();
    expect(openSearchCleanupTarget({})).toBeNull();
    expect(openSearchCleanupTarget({ 'opensearch.aiven.nais.io/serviceUser': 'x', 'opensearch.aiven.nais.io/project': 'p' })).toBeNull();
    expect(openSearchCleanupTarget({ ...full, 'opensearch.aiven.nais.io/serviceName': '' })).toBeNull();
  });

  it('targets the annotated user, service and project', () => {
    expect(openSearchCleanupTarget(full)).toEqual({ project: 'nav-dev', service: 'opensearch-team-a-logs', username: 'team-a-r-3D_' });
  });

  it.each([
    ['opensearch.aiven.nais.io/serviceUser', undefined],
    ['opensearch.aiven.nais.io/serviceUser', ''],
    ['opensearch.aiven.nais.io/project', undefined],
    ['opensearch.aiven.nais.io/project', ''],
  ])('returns MissingAnnotationError when %s is %j', (key, value) => {
    const annotations: Record<string, string> = { ...full };
    if (value === undefined) delete annotations[key];
    else annotations[key] = value;
    const result = openSearchCleanupTarget(annotations);
    expect(result).toBeInstanceOf(MissingAnnotationError);
    expect((result as MissingAnnotationError).annotation).toBe(key);
  });
});
