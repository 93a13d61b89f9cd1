import type * as k8s from '@kubernetes/client-node';
import {
  UsageIndex,
  aivenAppSecretNames,
  buildUsageIndex,
  countKept,
  decideSecret,
  podSpecSecretNames,
  workloadPodSpec,
  type Workload,
} from '../../../src/janitor/in-use';

const now = new Date('2026-06-01T12:00:00Z');

function secret(namespace: string, name: string, annotations: Record<string, string> = {}, extra: { deletionTimestamp?: string } = {}) {
  return { metadata: { namespace, name, annotations, ...extra } };
}

function pod(namespace: string, name: string, spec: k8s.V1PodSpec): Workload {
  return { kind: 'Pod', metadata: { namespace, name }, spec: spec as Workload['spec'] };
}

const container = (c: Partial<k8s.V1Container>): k8s.V1Container => ({ name: 'c', ...c });

describe('podSpecSecretNames', () => {
  it('finds volumes, projected sources, env secretKeyRef and envFrom secretRef in every container kind', () => {
    const spec: k8s.V1PodSpec = {
      volumes: [
        { name: 'v1', secret: { secretName: 'vol' } },
        { name: 'v2', projected: { sources: [{ secret: { name: 'projected' } }, { configMap: { name: 'not-a-secret' } }] } },
        { name: 'v3', configMap: { name: 'cm' } },
      ],
      containers: [container({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'env-ref', key: 'k' } } }, { name: 'B', value: 'plain' }] })],
      initContainers: [container({ envFrom: [{ secretRef: { name: 'init-envfrom' } }, { configMapRef: { name: 'cm2' } }] })],
      ephemeralContainers: [{ name: 'debug', env: [{ name: 'C', valueFrom: { secretKeyRef: { name: 'ephemeral', key: 'k' } } }] }],
    };
    expect(podSpecSecretNames(spec).sort()).toEqual(['env-ref', 'ephemeral', 'init-envfrom', 'projected', 'vol']);
  });

  it('tolerates empty and partial specs', () => {
    expect(podSpecSecretNames(undefined)).toEqual([]);
    expect(podSpecSecretNames({ containers: [] })).toEqual([]);
    expect(podSpecSecretNames({ containers: [container({ env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })], volumes: [{ name: 'e', emptyDir: {} }] })).toEqual([]);
  });

  it('does not count imagePullSecrets', () => {
    expect(podSpecSecretNames({ containers: [], imagePullSecrets: [{ name: 'pull' }] })).toEqual([]);
  });
});

describe('workloadPodSpec', () => {
  const template = { spec: { containers: [container({ envFrom: [{ secretRef: { name: 's' } }] })] } };
  it.each(['ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const)('reads the pod template of a %s', (kind) => {
    expect(podSpecSecretNames(workloadPodSpec({ kind, spec: { template } }))).toEqual(['s']);
  });
  it('reads the job template of a CronJob', () => {
    expect(podSpecSecretNames(workloadPodSpec({ kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } }))).toEqual(['s']);
  });
  it('reads a Pod spec directly', () => {
    expect(podSpecSecretNames(workloadPodSpec(pod('ns', 'p', template.spec)))).toEqual(['s']);
  });
});

describe('aivenAppSecretNames', () => {
  it('collects secretName, kafka, openSearch and every valkey secretName', () => {
    expect(
      aivenAppSecretNames({
        spec: { secretName: 'old', kafka: { secretName: 'k' }, openSearch: { secretName: 'o' }, valkey: [{ secretName: 'v1' }, { secretName: 'v2' }, {}] },
      }).sort(),
    ).toEqual(['k', 'o', 'old', 'v1', 'v2']);
    expect(aivenAppSecretNames({})).toEqual([]);
  });
});

describe('UsageIndex', () => {
  it('only counts references in the same namespace', () => {
    const index = buildUsageIndex({ pods: [pod('other', 'web', { containers: [container({ envFrom: [{ secretRef: { name: 'shared-name' } }] })] })] });
    expect(index.usedBy('other', 'shared-name')).toBe('Pod/web');
    expect(index.usedBy('mine', 'shared-name')).toBeUndefined();
  });

  it('remembers who uses a Secret', () => {
    const index = buildUsageIndex({
      deployments: [{ kind: 'Deployment', metadata: { namespace: 'ns', name: 'web' }, spec: { template: { spec: { containers: [container({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's1', key: 'k' } } }] })] } } } }],
      cronJobs: [{ kind: 'CronJob', metadata: { namespace: 'ns', name: 'nightly' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [], volumes: [{ name: 'v', secret: { secretName: 's2' } }] } } } } } }],
      aivenApps: [{ metadata: { namespace: 'ns', name: 'app' }, spec: { kafka: { secretName: 's3' } } }],
    });
    expect(index.usedBy('ns', 's1')).toBe('Deployment/web');
    expect(index.usedBy('ns', 's2')).toBe('CronJob/nightly');
    expect(index.usedBy('ns', 's3')).toBe('AivenApplication/app');
    expect(index.usedBy('ns', 's4')).toBeUndefined();
  });
});

describe('decideSecret', () => {
  const used = new UsageIndex();
  used.add('ns', 'used', 'Pod/p');
  const empty = new UsageIndex();

  it('keeps a used Secret, whatever its protection', () => {
    expect(decideSecret(secret('ns', 'used'), used, now)).toEqual({ action: 'keep', state: 'in_use', usedBy: 'Pod/p' });
    const expired = { 'aivenator.aiven.nais.io/protected': 'true', 'aivenator.aiven.nais.io/with-time-limit': 'true', 'aivenator.aiven.nais.io/expires-at': '2020-01-01T00:00:00Z' };
    expect(decideSecret(secret('ns', 'used', expired), used, now)).toMatchObject({ action: 'keep', state: 'in_use' });
  });

  it('deletes an unused Secret', () => {
    expect(decideSecret(secret('ns', 'x'), empty, now)).toEqual({ action: 'delete', why: 'unused' });
    expect(decideSecret(secret('ns', 'x', { 'aivenator.aiven.nais.io/protected': 'false' }), empty, now)).toEqual({ action: 'delete', why: 'unused' });
  });

  it('keeps an unused protected Secret', () => {
    expect(decideSecret(secret('ns', 'x', { 'aivenator.aiven.nais.io/protected': 'true' }), empty, now)).toEqual({ action: 'keep', state: 'protected' });
  });

  it('deletes a protected Secret whose time limit has passed, keeps one whose limit is ahead', () => {
    const limited = (at: string) => ({ 'aivenator.aiven.nais.io/protected': 'true', 'aivenator.aiven.nais.io/with-time-limit': 'true', 'aivenator.aiven.nais.io/expires-at': at });
    expect(decideSecret(secret('ns', 'x', limited('2026-06-01T11:59:59Z')), empty, now)).toEqual({ action: 'delete', why: 'protection-expired', expiresAt: '2026-06-01T11:59:59Z' });
    expect(decideSecret(secret('ns', 'x', limited('2026-06-01T12:00:01Z')), empty, now)).toEqual({ action: 'keep', state: 'protected-with-time-limit', expiresAt: '2026-06-01T12:00:01Z' });
  });

  it('keeps a protected Secret whose time limit is unparseable or half-present', () => {
    const p = { 'aivenator.aiven.nais.io/protected': 'true' };
    expect(decideSecret(secret('ns', 'x', { ...p, 'aivenator.aiven.nais.io/with-time-limit': 'true', 'aivenator.aiven.nais.io/expires-at': 'yesterday' }), empty, now)).toEqual({ action: 'keep', state: 'protected' });
    expect(decideSecret(secret('ns', 'x', { ...p, 'aivenator.aiven.nais.io/with-time-limit': 'true' }), empty, now)).toEqual({ action: 'keep', state: 'protected' });
    // expires-at without with-time-limit is not a time limit.
    expect(decideSecret(secret('ns', 'x', { ...p, 'aivenator.aiven.nais.io/expires-at': '2020-01-01T00:00:00Z' }), empty, now)).toEqual({ action: 'keep', state: 'protected' });
  });

  it('leaves a terminating Secret to its finalizer', () => {
    expect(decideSecret(secret('ns', 'x', {}, { deletionTimestamp: '2026-06-01T11:00:00Z' }), empty, now)).toEqual({ action: 'skip', why: 'terminating' });
  });

  it('counts what it keeps for the secrets_managed gauge', () => {
    expect(
      countKept([
        { action: 'keep', state: 'in_use' },
        { action: 'keep', state: 'in_use' },
        { action: 'keep', state: 'protected' },
        { action: 'keep', state: 'protected-with-time-limit' },
        { action: 'delete', why: 'unused' },
        { action: 'skip', why: 'terminating' },
      ]),
    ).toEqual({ in_use: 2, protected: 1, 'protected-with-time-limit': 1 });
  });
});
