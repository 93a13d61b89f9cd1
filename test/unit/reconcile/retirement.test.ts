// Pure parts of retirement and in-place repair: which pods may hold a Secret's
// old contents, which annotated users count as the application's own, and the
// maximum-age setting.
import * as k8s from '@kubernetes/client-node';
import { isOwnUsername } from '../../../activities/repair';
import { loadConfig } from '../../../src/config';
import { holdsOldContents } from '../../../src/kube/pod-usage';
import { kafkaServiceUserName, kafkaServiceUserNameWithSuffix, suffix3, valkeyUserName } from '../../../src/naming/names';

const rewrite = new Date('2026-12-01T12:00:00.500Z');
const names = new Set(['app-kafka']);

function pod(spec: Partial<k8s.V1PodSpec>, status: k8s.V1PodStatus): k8s.V1Pod {
  return { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], ...spec }, status };
}

describe('pods that may hold old Secret contents', () => {
  const envFrom = { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'app-kafka' } }] }] };
  it('counts a running pod started before the rewrite that references the Secret, in any way', () => {
    const before = { phase: 'Running', startTime: new Date('2026-12-01T11:59:00Z') };
    expect(holdsOldContents(pod(envFrom, before), names, rewrite)).toBe('app-kafka');
    expect(holdsOldContents(pod({ volumes: [{ name: 'v', secret: { secretName: 'app-kafka' } }] }, before), names, rewrite)).toBe('app-kafka');
    expect(holdsOldContents(pod({ volumes: [{ name: 'v', projected: { sources: [{ secret: { name: 'app-kafka' } }] } }] }, before), names, rewrite)).toBe('app-kafka');
    expect(holdsOldContents(pod({ initContainers: [{ name: 'i', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'app-kafka', key: 'K' } } }] }] }, before), names, rewrite)).toBe('app-kafka');
    expect(holdsOldContents(pod({ volumes: [{ name: 'v', secret: { secretName: 'other' } }] }, before), names, rewrite)).toBeUndefined();
  });

  it('does not count pods started after the rewrite (whole seconds), not started yet, or finished', () => {
    expect(holdsOldContents(pod(envFrom, { phase: 'Running', startTime: new Date('2026-12-01T12:00:00Z') }), names, rewrite)).toBeUndefined();
    expect(holdsOldContents(pod(envFrom, { phase: 'Pending' }), names, rewrite)).toBeUndefined();
    expect(holdsOldContents(pod(envFrom, { phase: 'Succeeded', startTime: new Date('2026-12-01T11:00:00Z') }), names, rewrite)).toBeUndefined();
    expect(holdsOldContents(pod(envFrom, { phase: 'Failed', startTime: new Date('2026-12-01T11:00:00Z') }), names, rewrite)).toBeUndefined();
  });
});

describe("an application's own user (in-place repair)", () => {
  it('accepts its names with any suffix scheme, and nothing else', () => {
    const kafka = { service: 'kafka' as const, secretName: 's', pool: 'p' };
    expect(isOwnUsername(kafka, 'team-0', 'app-0', kafkaServiceUserName('team-0', 'app-0', 3))).toBe(true);
    expect(isOwnUsername(kafka, 'team-0', 'app-0', kafkaServiceUserNameWithSuffix('team-0', 'app-0', suffix3(1, 'dev-gcp')))).toBe(true);
    expect(isOwnUsername(kafka, 'team-0', 'app-0', kafkaServiceUserName('team-0', 'app-1', 3))).toBe(false);
    expect(isOwnUsername(kafka, 'team-0', 'app-0', kafkaServiceUserName('team-1', 'app-0', 3))).toBe(false);
    const valkey = { service: 'valkey' as const, secretName: 's', instance: 'cache', access: 'readwrite' };
    expect(isOwnUsername(valkey, 'team', 'app', valkeyUserName('app', 'readwrite', 2))).toBe(true);
    expect(isOwnUsername(valkey, 'team', 'app', valkeyUserName('app', 'read', 2))).toBe(false);
    expect(isOwnUsername(valkey, 'team', 'app', 'avnadmin')).toBe(false);
    const os = { service: 'opensearch' as const, secretName: 's', instance: 'logs', access: undefined };
    expect(isOwnUsername(os, 'team', 'app', 'team-r-abc')).toBe(true);
    expect(isOwnUsername(os, 'team', 'app', 'team-rw-abc')).toBe(false);
  });
});

describe('AIVENATOR_REPLACED_USER_MAX_AGE', () => {
  it('is off by default and takes a Go duration', () => {
    expect(loadConfig({}, { requireToken: false }).replacedUserMaxAgeMs).toBe(0);
    expect(loadConfig({ AIVENATOR_REPLACED_USER_MAX_AGE: '168h' }, { requireToken: false }).replacedUserMaxAgeMs).toBe(168 * 3_600_000);
    expect(() => loadConfig({ AIVENATOR_REPLACED_USER_MAX_AGE: 'a week' }, { requireToken: false })).toThrow(/AIVENATOR_REPLACED_USER_MAX_AGE/);
  });
});
