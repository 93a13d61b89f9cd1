// The chart's ClusterRoles (rendered by helm) are enough, and no more than enough: the reconcile
// scenario converges with the worker and the controller each holding only its
// own ServiceAccount's token, Secrets are finalized and expired applications
// deleted under the same rules, and nothing in the logs was refused. Metrics
// scraped along the way move.
import * as k8s from '@kubernetes/client-node';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { eventually } from '../../env/aivenator';
import { adminKubeConfig, freshNamespace } from '../../env/world';
import { appEvents, createApp, createInstance, getApp, patchSpec, secretOrUndefined } from '../reconcile/fixtures';
import { RestrictedAivenator, applyRbac, forbidden, startRestrictedAivenator } from './restricted';

const SECRETS = ['rbac-kafka', 'rbac-opensearch', 'rbac-valkey-cache', 'rbac-valkey-sessions'];

async function scrape(aivenator: RestrictedAivenator): Promise<string> {
  const res = await fetch(`${aivenator.ops.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample, e.g. value(text, 'aivenator_x', { a: 'b' }); 0 when absent. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('Aivenator under the chart\'s RBAC (helm template charts/aivenator)', () => {
  let namespace: string;
  let aivenator: RestrictedAivenator;

  beforeAll(async () => {
    await applyRbac();
    namespace = await freshNamespace('rbac');
    await createInstance(namespace, 'opensearches', 'logs');
    await createInstance(namespace, 'valkeys', 'cache');
    await createInstance(namespace, 'valkeys', 'sessions', { replica: true });
    aivenator = await startRestrictedAivenator(namespace);
    await createApp(namespace, 'myapp', {
      kafka: { pool: 'dev-nais-dev', secretName: 'rbac-kafka' },
      openSearch: { instance: 'logs', access: 'readwrite', secretName: 'rbac-opensearch' },
      valkey: [
        { instance: 'cache', access: 'read', secretName: 'rbac-valkey-cache' },
        { instance: 'sessions', access: 'admin', secretName: 'rbac-valkey-sessions' },
      ],
    }, { app: 'myapp', team: namespace });
    await eventually(async () => ((await getApp(namespace, 'myapp')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 60_000, 'RolloutComplete');
  }, 120_000);
  afterAll(() => aivenator?.stop(), 60_000);

  it('converges: status, every Secret, and the events (events.k8s.io create)', async () => {
    const app = await getApp(namespace, 'myapp');
    expect(app.status).toMatchObject({ synchronizationState: 'RolloutComplete', synchronizedGeneration: 1 });
    for (const name of SECRETS) expect((await secretOrUndefined(namespace, name))?.data).toBeDefined();
    await eventually(async () => ((await appEvents(namespace, 'myapp')).some((e) => e.reason === 'Synchronized') ? true : undefined), 10_000, 'Synchronized event');
    expect((await appEvents(namespace, 'rbac-kafka')).map((e) => e.reason)).toContain('SecretCreated');
  });

  it('is ready on /readyz once both components run', async () => {
    const res = await fetch(`${aivenator.ops.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ready: true, checks: { worker: true, controller: true } });
  });

  it('lets the controller watch cluster-wide but write nothing', async () => {
    const custom = aivenator.controllerKc.makeApiClient(k8s.CustomObjectsApi);
    const core = aivenator.controllerKc.makeApiClient(k8s.CoreV1Api);
    await expect(custom.listClusterCustomObject({ ...AIVENAPP })).resolves.toBeDefined();
    await expect(core.listSecretForAllNamespaces({ labelSelector: 'type=aivenator.aiven.nais.io' })).resolves.toBeDefined();
    await expect(core.readNamespacedSecret({ namespace, name: 'rbac-kafka' })).rejects.toMatchObject({ code: 403 });
    await expect(core.createNamespacedSecret({ namespace, body: { metadata: { name: 'nope' } } })).rejects.toMatchObject({ code: 403 });
  });

  it('does not let the worker read what it never needs', async () => {
    const core = aivenator.workerKc.makeApiClient(k8s.CoreV1Api);
    await expect(core.listNamespace()).rejects.toMatchObject({ code: 403 });
    await expect(core.listNamespacedConfigMap({ namespace })).rejects.toMatchObject({ code: 403 });
  });

  it('runs a second pass after a spec change, and the metrics move', async () => {
    const before = await scrape(aivenator);
    for (const name of ['aivenator_aiven_applications_processed', 'aivenator_service_users_created', 'aivenator_kubernetes_resources_written', 'aivenator_aiven_latency_count', 'aivenator_kubernetes_latency_count', 'aivenator_aiven_handler_processing_time_seconds_count']) {
      expect(value(before, name)).toBeGreaterThan(0);
    }
    expect(value(before, 'aivenator_kubernetes_resources_written', { namespace, resource_type: 'Secret' })).toBe(4);
    expect(value(before, 'aivenator_kubernetes_resources_not_written')).toBe(0);

    await patchSpec(namespace, 'myapp', { valkey: [{ instance: 'cache', access: 'readwrite', secretName: 'rbac-valkey-cache' }, { instance: 'sessions', access: 'admin', secretName: 'rbac-valkey-sessions' }] });
    await eventually(async () => {
      const app = await getApp(namespace, 'myapp');
      return app.status?.synchronizedGeneration === 2 && app.status.synchronizationState === 'RolloutComplete' ? true : undefined;
    }, 60_000, 'generation 2 synced');

    const after = await scrape(aivenator);
    const processed = (t: string) => value(t, 'aivenator_aiven_applications_processed', { synchronization_state: 'RolloutComplete' });
    expect(processed(after)).toBeGreaterThan(processed(before));
    expect(value(after, 'aivenator_kubernetes_resources_written', { namespace, resource_type: 'Secret' })).toBeGreaterThan(4);
    expect(value(after, 'aivenator_service_users_created')).toBeGreaterThan(value(before, 'aivenator_service_users_created'));
    expect(value(after, 'aivenator_processing_reason', { processing_reason: 'HashChanged' })).toBeGreaterThanOrEqual(2);
    expect(after).toMatch(/aivenator_kubernetes_latency_count\{operation="patch secrets"\} \d+/);
    expect(after).toMatch(/aivenator_aiven_latency_count\{operation="createServiceUser",status="\d+"/);
  }, 90_000);

  it('finalizes a deleted Secret (finalizer removed with the worker token)', async () => {
    const secret = await secretOrUndefined(namespace, 'rbac-opensearch');
    expect(secret?.metadata?.finalizers).toContain('aivenator.aiven.nais.io/finalizer');
    await adminKubeConfig().makeApiClient(k8s.CoreV1Api).deleteNamespacedSecret({ namespace, name: 'rbac-opensearch' });
    // The spec still names it, so a new Secret of that name may appear at once: the deleted one (its uid) must be gone.
    await eventually(async () => ((await secretOrUndefined(namespace, 'rbac-opensearch'))?.metadata?.uid !== secret?.metadata?.uid ? true : undefined), 60_000, 'the Secret to be finalized and gone');
  }, 90_000);

  it('deletes an application whose expiresAt passed', async () => {
    const expiresAt = new Date(Date.now() + 4000).toISOString().replace(/\.\d+Z$/, 'Z');
    await createApp(namespace, 'shortlived', { expiresAt, valkey: [{ instance: 'cache', secretName: 'rbac-shortlived-cache' }] }, { app: 'shortlived', team: namespace });
    await eventually(async () => {
      try {
        await getApp(namespace, 'shortlived');
        return undefined;
      } catch (err) {
        return err instanceof k8s.ApiException && err.code === 404 ? true : undefined;
      }
    }, 60_000, 'the expired application to be deleted');
  }, 90_000);

  it('was never refused by the API server', () => {
    expect(forbidden(aivenator.logs)).toEqual([]);
  });
});
