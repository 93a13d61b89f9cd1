// The janitor against the real apiserver: what counts as "in use" (same
// namespace only; Pods and workload templates with every kind of reference;
// AivenApplications), protection and its time limit, a list error that deletes
// nothing (a real RBAC refusal; caches that cannot watch fall back to listing
// live), the 15-minute Schedule, and the per-app pass after a reconcile. The
// tests' Aivenator runs the janitor over its informer caches.
import * as k8s from '@kubernetes/client-node';
import { createActivities, createCaches } from '../../../activities';
import type { JanitorSweepResult } from '../../../src/model/types';
import { AivenClient } from '../../../src/aiven/client';
import { kubeConfigFor } from '../../../src/devworld/kube-apiserver';
import { janitorScheduleId } from '../../../src/runtime/janitor-schedule';
import { KubeCaches } from '../../../src/kube/cache/kube-caches';
import { makeKubeClients } from '../../../src/kube/clients';
import { listSecretMetadata } from '../../../src/kube/secret-lifecycle';
import { createLogger } from '../../../src/log';
import { noopMetrics } from '../../../src/metrics/hooks';
import { janitorSweepWorkflow } from '../../../workflows/janitor';
import { AivenatorUnderTest, eventually, startAivenator } from '../../env/aivenator';
import { adminKubeConfig, freshNamespace, world } from '../../env/world';
import { core, createApp, getApp, patchSpec, secretOrUndefined } from '../reconcile/fixtures';
import { createManagedSecret, eventsFor, waitSecretGone } from './fixtures';

const apps = adminKubeConfig().makeApiClient(k8s.AppsV1Api);
const rbac = adminKubeConfig().makeApiClient(k8s.RbacAuthorizationV1Api);

const container = (extra: Partial<k8s.V1Container> = {}): k8s.V1Container => ({ name: 'app', image: 'example.com/app:1', ...extra });

async function createPod(namespace: string, name: string, spec: Partial<k8s.V1PodSpec>): Promise<void> {
  await core.createNamespacedPod({ namespace, body: { metadata: { name }, spec: { containers: [container()], ...spec } } });
}

async function createDeployment(namespace: string, name: string, podSpec: Partial<k8s.V1PodSpec>): Promise<void> {
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [container()], ...podSpec } },
      },
    },
  });
}

const PROTECTED = { 'aivenator.aiven.nais.io/protected': 'true' };
const withLimit = (at: Date) => ({ ...PROTECTED, 'aivenator.aiven.nais.io/with-time-limit': 'true', 'aivenator.aiven.nais.io/expires-at': at.toISOString().slice(0, 19) + 'Z' });

describe('the janitor', () => {
  let namespace: string;
  let other: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('jan');
    other = await freshNamespace('jan-other');
    aivenator = await startAivenator({ namespace, janitorSchedule: true });
  });
  afterAll(() => aivenator?.stop());

  const sweep = (ns = namespace) =>
    aivenator.client.workflow.execute(janitorSweepWorkflow, { workflowId: `test-sweep/${ns}/${Date.now()}`, taskQueue: aivenator.taskQueue, args: [{ namespace: ns }] });

  it('keeps what is used in the same namespace or protected, and deletes the rest', async () => {
    const hour = 3600_000;
    const secrets = {
      'used-by-pod-volume': {},
      'used-by-pod-projected': {},
      'used-by-deploy-env': {},
      'used-by-deploy-envfrom': {},
      'used-by-app': {},
      'used-only-elsewhere': {},
      unused: {},
      protected: PROTECTED,
      'protected-expired': withLimit(new Date(Date.now() - hour)),
      'protected-until-later': withLimit(new Date(Date.now() + hour)),
    } as Record<string, Record<string, string>>;
    for (const [name, annotations] of Object.entries(secrets)) await createManagedSecret(namespace, name, { annotations });

    await createPod(namespace, 'with-volume', { volumes: [{ name: 'creds', secret: { secretName: 'used-by-pod-volume' } }] });
    await createPod(namespace, 'with-projected', { volumes: [{ name: 'creds', projected: { sources: [{ secret: { name: 'used-by-pod-projected' } }] } }] });
    await createDeployment(namespace, 'env', { containers: [container({ env: [{ name: 'KAFKA_BROKERS', valueFrom: { secretKeyRef: { name: 'used-by-deploy-env', key: 'KAFKA_BROKERS' } } }] })] });
    await createDeployment(namespace, 'envfrom', { initContainers: [container({ name: 'init', envFrom: [{ secretRef: { name: 'used-by-deploy-envfrom' } }] })] });
    await createApp(namespace, 'names-a-secret', { valkey: [{ instance: 'nope', secretName: 'used-by-app' }] });
    // The same name used in ANOTHER namespace does not protect it.
    await createPod(other, 'elsewhere', { containers: [container({ envFrom: [{ secretRef: { name: 'used-only-elsewhere' } }] })] });

    const result: JanitorSweepResult = await sweep();
    expect(result.skipped).toBeUndefined();
    expect(result.deleted.sort()).toEqual([`${namespace}/protected-expired`, `${namespace}/unused`, `${namespace}/used-only-elsewhere`]);
    expect(result.kept).toEqual({ in_use: 5, protected: 1, 'protected-with-time-limit': 1 });

    for (const name of ['protected-expired', 'unused', 'used-only-elsewhere']) await waitSecretGone(namespace, name);
    for (const name of ['used-by-pod-volume', 'used-by-pod-projected', 'used-by-deploy-env', 'used-by-deploy-envfrom', 'used-by-app', 'protected', 'protected-until-later']) {
      expect(await secretOrUndefined(namespace, name)).toBeDefined();
    }
    expect((await eventsFor(namespace, 'unused')).map((e) => e.reason)).toContain('UnusedSecretDeleted');
  });

  it('deletes nothing when a list call fails (a token that may not list ReplicaSets), and reports it', async () => {
    const ns = await freshNamespace('jan-rbac');
    await createManagedSecret(ns, 'unused-but-unseen', { labels: { app: 'someapp' } });
    const rules = (withReplicaSets: boolean): k8s.V1PolicyRule[] => [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: withReplicaSets ? ['replicasets', 'deployments', 'statefulsets', 'daemonsets'] : ['deployments', 'statefulsets', 'daemonsets'], verbs: ['list'] },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
      { apiGroups: ['aiven.nais.io'], resources: ['aivenapplications'], verbs: ['list'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
    ];
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'janitor' }, rules: rules(false) } });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: { metadata: { name: 'janitor' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'janitor' }, subjects: [{ kind: 'User', name: world().kube.restrictedUser, apiGroup: 'rbac.authorization.k8s.io' }] },
    });
    const skips: string[][] = [];
    const gauges: unknown[] = [];
    const kube = makeKubeClients(kubeConfigFor(world().kube.server, world().kube.restrictedToken));
    // Caches that cannot watch (the token may list, not watch): the janitor lists live instead, at once.
    const kubeCaches = new KubeCaches({ kube, log: createLogger({ level: 'silent' }), namespace: ns, restartDelayMs: 60_000 });
    await kubeCaches.start();
    expect(await kubeCaches.ready()).toBe(false);
    const activities = createActivities({
      kube,
      kubeCaches,
      aiven: new AivenClient({ baseUrl: world().aiven.url, token: world().aiven.token }),
      projects: world().aiven.projects,
      mainProject: world().aiven.mainProject,
      log: createLogger({ level: 'silent' }),
      caches: createCaches(),
      openSearchAcl: aivenator.deps.openSearchAcl,
      metrics: { ...noopMetrics, janitorSweepSkipped: (scope, list) => skips.push([scope, list]), secretsManaged: (c) => gauges.push(c) },
    });

    const skipped = await activities.janitorSweep({ namespace: ns });
    expect(skipped.skipped).toMatch(/listing replicasets failed \(Kubernetes API 403 Forbidden/);
    expect(skipped.deletedCount).toBe(0);
    expect(skips).toEqual([['namespace', 'replicasets']]);
    skips.length = 0;
    expect(gauges).toEqual([]);
    expect(await secretOrUndefined(ns, 'unused-but-unseen')).toBeDefined();
    // The per-application pass says so on the application.
    const appPass = await activities.janitorSweep({ app: { namespace: ns, name: 'someapp' } });
    expect(appPass.skipped).toMatch(/replicasets/);
    const warning = (await eventsFor(ns, 'someapp')).find((e) => e.reason === 'JanitorSkipped');
    expect(warning?.type).toBe('Warning');
    expect(await secretOrUndefined(ns, 'unused-but-unseen')).toBeDefined();

    // With the permission the same sweep deletes it (and sets the gauge).
    await rbac.replaceNamespacedRole({ namespace: ns, name: 'janitor', body: { metadata: { name: 'janitor' }, rules: rules(true) } });
    const done = await eventually(async () => {
      const r = await activities.janitorSweep({ namespace: ns });
      return r.skipped ? undefined : r;
    }, 10_000, 'a sweep with permission');
    expect(done.deleted).toEqual([`${ns}/unused-but-unseen`]);
    expect(gauges).toEqual([{ in_use: 0, protected: 0, 'protected-with-time-limit': 0 }]);
    await kubeCaches.stop();
  });

  it('lists managed Secrets as metadata only, and an empty list as []', async () => {
    const ns = await freshNamespace('jan-meta');
    expect(await listSecretMetadata(aivenator.deps.kube, 'type=aivenator.aiven.nais.io', ns)).toEqual([]);
    await createManagedSecret(ns, 'with-data', { annotations: { 'kafka.aiven.nais.io/serviceUser': 'u' } });
    const [listed] = await listSecretMetadata(aivenator.deps.kube, 'type=aivenator.aiven.nais.io', ns);
    expect(listed.metadata?.name).toBe('with-data');
    expect(listed.metadata?.annotations?.['kafka.aiven.nais.io/serviceUser']).toBe('u');
    expect(listed.data).toBeUndefined();
  });

  it('runs on a Temporal Schedule every 15 minutes', async () => {
    const handle = aivenator.client.schedule.getHandle(janitorScheduleId(aivenator.taskQueue, namespace));
    const description = await handle.describe();
    expect(description.spec.intervals?.map((i) => i.every)).toEqual([15 * 60_000]);
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'janitorSweepWorkflow', taskQueue: aivenator.taskQueue, args: [{ namespace }] });
    expect(description.policies.overlap).toBe('SKIP');

    await createManagedSecret(namespace, 'scheduled-unused');
    await handle.trigger();
    await waitSecretGone(namespace, 'scheduled-unused');
  });

  it('cleans up an application\'s unused Secrets after each reconcile, keeping the ones a Pod uses', async () => {
    const pool = world().aiven.mainProject;
    await createApp(namespace, 'rotating', { kafka: { pool, secretName: 'rotating-v1' } });
    await eventually(async () => ((await getApp(namespace, 'rotating')).status?.synchronizedGeneration === 1 ? true : undefined), 30_000, 'generation 1 synced');
    await createPod(namespace, 'still-on-v1', { containers: [container({ envFrom: [{ secretRef: { name: 'rotating-v1' } }] })] });

    await patchSpec(namespace, 'rotating', { kafka: { pool, secretName: 'rotating-v2' } });
    await eventually(async () => ((await getApp(namespace, 'rotating')).status?.synchronizedGeneration === 2 ? true : undefined), 30_000, 'generation 2 synced');
    // Used by a Pod: the per-app pass keeps it.
    expect(await secretOrUndefined(namespace, 'rotating-v1')).toBeDefined();

    await core.deleteNamespacedPod({ namespace, name: 'still-on-v1', gracePeriodSeconds: 0 });
    await patchSpec(namespace, 'rotating', { kafka: { pool, secretName: 'rotating-v3' } });
    await eventually(async () => ((await getApp(namespace, 'rotating')).status?.synchronizedGeneration === 3 ? true : undefined), 30_000, 'generation 3 synced');
    await waitSecretGone(namespace, 'rotating-v1');
    await waitSecretGone(namespace, 'rotating-v2');
    expect(await secretOrUndefined(namespace, 'rotating-v3')).toBeDefined();
  });
});
