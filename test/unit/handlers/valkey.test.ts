import {
  accessControlEquals,
  valkeyAccessControl,
  valkeyAclCategories,
  valkeyAddresses,
  valkeyAnnotations,
  valkeyCleanupTargets,
  valkeySecretData,
  valkeySecretKeys,
  valkeyServiceName,
  valkeyServiceNameAnnotation,
  valkeyServiceUserAnnotation,
} from '../../../src/handlers/valkey';
import { MissingAnnotationError, MissingServiceComponentError, baseSecretMetadata } from '../../../src/handlers/secret-meta';
import { valkeyUserName } from '../../../src/naming/names';
import type { ServiceComponent, ServiceInfo, ValkeyAccessControl } from '../../../src/aiven/types';

// Test data from nais/aivenator pkg/services/valkey/valkey_test.go (testInstances):
// app test-app in namespace team-a, project my-project, password service-password, port 23456.
const NAMESPACE = 'team-a';
const APP = 'test-app';
const PROJECT = 'my-project';
const PASSWORD = 'service-password';

function valkeyService(instance: string, withReplica: boolean): ServiceInfo {
  const components: ServiceComponent[] = [
    { component: 'valkey', host: `${instance}.example.com`, port: 23456, route: 'dynamic', usage: 'primary' },
  ];
  if (withReplica) components.push({ component: 'valkey', host: `replica-${instance}.example.com`, port: 23456, route: 'dynamic', usage: 'replica' });
  return { service_name: valkeyServiceName(NAMESPACE, instance), service_type: 'valkey', state: 'RUNNING', service_uri: 'x', components };
}

describe('names', () => {
  it('builds the service name and the instance-prefixed annotations', () => {
    expect(valkeyServiceName(NAMESPACE, 'my-instance1')).toBe('valkey-team-a-my-instance1');
    expect(valkeyServiceUserAnnotation('my-instance1')).toBe('my-instance1.valkey.aiven.nais.io/serviceUser');
    expect(valkeyServiceNameAnnotation('session-store')).toBe('session-store.valkey.aiven.nais.io/serviceName');
    expect(valkeyServiceUserAnnotation('My_Cache.v2')).toBe('-y--ache-v2.valkey.aiven.nais.io/serviceUser');
  });

  it('agrees with the Go test user names', () => {
    expect(valkeyUserName(APP, 'read', 0)).toBe('test-app-r-3D_');
    expect(valkeyUserName(APP, 'readwrite', 0)).toBe('test-app-rw-3D_');
  });
});

describe('valkeyAccessControl', () => {
  const base = ['-@all', '+@connection', '+@scripting', '+@pubsub', '+@transaction'];

  it.each([
    ['admin', [...base, '+@admin', '+@write', '+@read']],
    ['readwrite', [...base, '+@write', '+@read']],
    ['write', [...base, '+@write']],
    ['read', [...base, '+@read']],
    ['', [...base, '+@read']],
    [undefined, [...base, '+@read']],
    ['bogus', [...base, '+@read']],
  ])('access %j', (access, categories) => {
    const acl = valkeyAccessControl(access);
    expect(acl).toEqual({
      valkey_acl_categories: categories,
      valkey_acl_commands: ['+info', '+cluster|slots'],
      valkey_acl_keys: ['*'],
      valkey_acl_channels: ['*'],
    });
    expect(Object.keys(acl)).toEqual(['valkey_acl_categories', 'valkey_acl_commands', 'valkey_acl_keys', 'valkey_acl_channels']);
    expect(valkeyAclCategories(access)).toEqual(categories);
  });

  it('returns fresh arrays each call', () => {
    const a = valkeyAccessControl('read');
    a.valkey_acl_categories!.push('+@dangerous');
    expect(valkeyAccessControl('read').valkey_acl_categories).toHaveLength(6);
  });
});

describe('accessControlEquals (Go reflect.DeepEqual)', () => {
  const wanted = valkeyAccessControl('readwrite');

  it('is true for identical ACLs', () => {
    expect(accessControlEquals(wanted, valkeyAccessControl('readwrite'))).toBe(true);
    expect(accessControlEquals(undefined, undefined)).toBe(true);
    expect(accessControlEquals(undefined, {})).toBe(true);
  });

  it('is false for the incomplete ACL of the Go test (no commands, base categories only)', () => {
    // valkey_test.go incompleteAccessControl → the handler PUTs set-access-control.
    const incomplete: ValkeyAccessControl = {
      valkey_acl_categories: ['-@all', '+@connection', '+@scripting', '+@pubsub', '+@transaction'],
      valkey_acl_keys: ['*'],
      valkey_acl_channels: ['*'],
    };
    expect(accessControlEquals(incomplete, wanted)).toBe(false);
  });

  it('is order-sensitive', () => {
    const reordered = { ...wanted, valkey_acl_commands: ['+cluster|slots', '+info'] };
    expect(accessControlEquals(reordered, wanted)).toBe(false);
  });

  it('tells the old "+cluster slots" syntax apart', () => {
    expect(accessControlEquals({ ...wanted, valkey_acl_commands: ['+info', '+cluster slots'] }, wanted)).toBe(false);
  });

  it('treats a missing key, undefined and null alike, but [] as different (nil vs empty slice)', () => {
    const { valkey_acl_channels: _omit, ...noChannels } = wanted;
    expect(accessControlEquals({ ...noChannels, valkey_acl_channels: undefined }, noChannels)).toBe(true);
    expect(accessControlEquals({ ...noChannels, valkey_acl_channels: null as unknown as string[] }, noChannels)).toBe(true);
    expect(accessControlEquals({ ...noChannels, valkey_acl_channels: [] }, noChannels)).toBe(false);
    expect(accessControlEquals({ valkey_acl_keys: [] }, undefined)).toBe(false);
  });

  it('counts extra keys returned by the API', () => {
    const withRedis = { ...wanted, redis_acl_categories: ['+@read'] } as ValkeyAccessControl;
    expect(accessControlEquals(withRedis, wanted)).toBe(false);
    expect(accessControlEquals(wanted, withRedis)).toBe(false);
    const withNullRedis = { ...wanted, redis_acl_categories: null } as unknown as ValkeyAccessControl;
    expect(accessControlEquals(withNullRedis, wanted)).toBe(true);
  });

  it('distinguishes access levels', () => {
    expect(accessControlEquals(valkeyAccessControl('read'), valkeyAccessControl('write'))).toBe(false);
    expect(accessControlEquals(valkeyAccessControl('read'), valkeyAccessControl(''))).toBe(true);
  });
});

describe('valkeyAddresses', () => {
  it('gives the primary with the valkeys scheme and no replica', () => {
    expect(valkeyAddresses(valkeyService('my-instance1', false))).toEqual({
      primary: { uri: 'valkeys://my-instance1.example.com:23456', host: 'my-instance1.example.com', port: '23456' },
    });
  });

  it('adds the replica when listed', () => {
    expect(valkeyAddresses(valkeyService('with-replica', true))).toEqual({
      primary: { uri: 'valkeys://with-replica.example.com:23456', host: 'with-replica.example.com', port: '23456' },
      replica: { uri: 'valkeys://replica-with-replica.example.com:23456', host: 'replica-with-replica.example.com', port: '23456' },
    });
  });

  it('ignores a replica with port 0 (Go checks Port != 0)', () => {
    const s = valkeyService('x', true);
    s.components![1]!.port = 0;
    expect(valkeyAddresses(s)).not.toHaveProperty('replica');
  });

  it('fails without a primary', () => {
    const s = valkeyService('x', true);
    s.components = s.components!.filter((c) => c.usage === 'replica');
    expect(() => valkeyAddresses(s)).toThrow(MissingServiceComponentError);
  });
});

describe('valkeySecretData', () => {
  it('matches the Go test for my-instance1 (read, no replica)', () => {
    const data = valkeySecretData('my-instance1', { username: 'test-app-r-3D_', password: PASSWORD }, valkeyAddresses(valkeyService('my-instance1', false)));
    expect(data).toEqual({
      VALKEY_USERNAME_MY_INSTANCE1: 'test-app-r-3D_',
      VALKEY_PASSWORD_MY_INSTANCE1: PASSWORD,
      VALKEY_URI_MY_INSTANCE1: 'valkeys://my-instance1.example.com:23456',
      VALKEY_HOST_MY_INSTANCE1: 'my-instance1.example.com',
      VALKEY_PORT_MY_INSTANCE1: '23456',
      REDIS_USERNAME_MY_INSTANCE1: 'test-app-r-3D_',
      REDIS_PASSWORD_MY_INSTANCE1: PASSWORD,
      REDIS_URI_MY_INSTANCE1: 'rediss://my-instance1.example.com:23456',
      REDIS_HOST_MY_INSTANCE1: 'my-instance1.example.com',
      REDIS_PORT_MY_INSTANCE1: '23456',
    });
    expect(Object.keys(data).sort()).toEqual(valkeySecretKeys('my-instance1', false).sort());
  });

  it('matches the Go test for with-replica, with VALKEY_REPLICA_* and no REDIS_REPLICA_*', () => {
    const data = valkeySecretData('with-replica', { username: 'test-app-rw-3D_', password: PASSWORD }, valkeyAddresses(valkeyService('with-replica', true)));
    expect(Object.keys(data).sort()).toEqual(
      [
        'VALKEY_USERNAME_WITH_REPLICA',
        'VALKEY_PASSWORD_WITH_REPLICA',
        'VALKEY_URI_WITH_REPLICA',
        'VALKEY_HOST_WITH_REPLICA',
        'VALKEY_PORT_WITH_REPLICA',
        'VALKEY_REPLICA_URI_WITH_REPLICA',
        'VALKEY_REPLICA_HOST_WITH_REPLICA',
        'VALKEY_REPLICA_PORT_WITH_REPLICA',
        'REDIS_USERNAME_WITH_REPLICA',
        'REDIS_PASSWORD_WITH_REPLICA',
        'REDIS_URI_WITH_REPLICA',
        'REDIS_HOST_WITH_REPLICA',
        'REDIS_PORT_WITH_REPLICA',
      ].sort(),
    );
    expect(data.VALKEY_REPLICA_URI_WITH_REPLICA).toBe('valkeys://replica-with-replica.example.com:23456');
    expect(data.VALKEY_REPLICA_HOST_WITH_REPLICA).toBe('replica-with-replica.example.com');
    expect(data.VALKEY_REPLICA_PORT_WITH_REPLICA).toBe('23456');
    expect(data.REDIS_URI_WITH_REPLICA).toBe('rediss://with-replica.example.com:23456');
    expect(Object.keys(data).sort()).toEqual(valkeySecretKeys('with-replica', true).sort());
  });

  it('uses K = instance with [^a-z0-9] → "_", uppercased', () => {
    const data = valkeySecretData('session-store', { username: 'u', password: 'p' }, valkeyAddresses(valkeyService('session-store', false)));
    expect(Object.keys(data)).toContain('VALKEY_USERNAME_SESSION_STORE');
    expect(valkeySecretKeys('Cache.v2', false)[0]).toBe('VALKEY_USERNAME__ACHE_V2');
  });
});

describe('valkeyAnnotations', () => {
  it('merged with the base metadata gives the Go test annotations', () => {
    const annotations = {
      ...baseSecretMetadata({ name: APP, namespace: NAMESPACE, spec: {} }).annotations,
      ...valkeyAnnotations('my-instance1', 'valkey-team-a-my-instance1', 'test-app-r-3D_', PROJECT),
    };
    expect(annotations).toEqual({
      'my-instance1.valkey.aiven.nais.io/serviceUser': 'test-app-r-3D_',
      'my-instance1.valkey.aiven.nais.io/serviceName': 'valkey-team-a-my-instance1',
      'valkey.aiven.nais.io/project': 'my-project',
      'nais.io/deploymentCorrelationID': '',
      'aivenator.aiven.nais.io/protected': 'false',
    });
  });
});

describe('valkeyCleanupTargets', () => {
  it('round-trips the annotations of one Secret', () => {
    const annotations = valkeyAnnotations('session-store', 'valkey-team-a-session-store', 'test-app-rw-3D_', PROJECT);
    expect(valkeyCleanupTargets(annotations)).toEqual([
      { instance: 'session-store', service: 'valkey-team-a-session-store', username: 'test-app-rw-3D_', project: PROJECT },
    ]);
  });

  it('handles several instances (legacy shared Secret), sorted, ignoring other handlers', () => {
    const annotations = {
      ...valkeyAnnotations('b-cache', 'valkey-team-a-b-cache', 'u-b', PROJECT),
      ...valkeyAnnotations('a-cache', 'valkey-team-a-a-cache', 'u-a', PROJECT),
      'opensearch.aiven.nais.io/serviceName': 'opensearch-team-a-logs',
      'kafka.aiven.nais.io/serviceUser': 'k',
    };
    expect(valkeyCleanupTargets(annotations)).toEqual([
      { instance: 'a-cache', service: 'valkey-team-a-a-cache', username: 'u-a', project: PROJECT },
      { instance: 'b-cache', service: 'valkey-team-a-b-cache', username: 'u-b', project: PROJECT },
    ]);
  });

  it('returns nothing without serviceName annotations', () => {
    expect(valkeyCleanupTargets(undefined)).toEqual([]);
    expect(valkeyCleanupTargets({})).toEqual([]);
    expect(valkeyCleanupTargets({ 'x.valkey.aiven.nais.io/serviceUser': 'u', 'valkey.aiven.nais.io/project': 'p' })).toEqual([]);
  });

  it('skips entries without a user (Go logs and continues) and with empty values', () => {
    expect(
      valkeyCleanupTargets({
        'a.valkey.aiven.nais.io/serviceName': 'valkey-ns-a',
        'b.valkey.aiven.nais.io/serviceName': 'valkey-ns-b',
        'b.valkey.aiven.nais.io/serviceUser': '',
        'c.valkey.aiven.nais.io/serviceName': '',
        'c.valkey.aiven.nais.io/serviceUser': 'u-c',
        'd.valkey.aiven.nais.io/serviceName': 'valkey-ns-d',
        'd.valkey.aiven.nais.io/serviceUser': 'u-d',
        'valkey.aiven.nais.io/project': 'p',
      }),
    ).toEqual([{ instance: 'd', service: 'valkey-ns-d', username: 'u-d', project: 'p' }]);
  });

  it('parses malformed keys like Go: instance is the text before the first "."', () => {
    expect(
      valkeyCleanupTargets({
        // No prefix: instance "valkey", whose user key is absent → skipped.
        'valkey.aiven.nais.io/serviceName': 'valkey-ns-legacy',
        'valkey.aiven.nais.io/serviceUser': 'legacy-user',
        // Suffix match without a dot separator: instance "xvalkey".
        'xvalkey.aiven.nais.io/serviceName': 'valkey-ns-x',
        'xvalkey.valkey.aiven.nais.io/serviceUser': 'u-x',
        'valkey.aiven.nais.io/project': 'p',
      }),
    ).toEqual([{ instance: 'xvalkey', service: 'valkey-ns-x', username: 'u-x', project: 'p' }]);
  });

  it('throws MissingAnnotationError when a usable entry has no project', () => {
    const annotations = { 'a.valkey.aiven.nais.io/serviceName': 's', 'a.valkey.aiven.nais.io/serviceUser': 'u' };
    expect(() => valkeyCleanupTargets(annotations)).toThrow(MissingAnnotationError);
    expect(() => valkeyCleanupTargets({ ...annotations, 'valkey.aiven.nais.io/project': '' })).toThrow('valkey.aiven.nais.io/project');
    // Go only errors once it has a user to delete.
    expect(valkeyCleanupTargets({ 'a.valkey.aiven.nais.io/serviceName': 's' })).toEqual([]);
  });
});
