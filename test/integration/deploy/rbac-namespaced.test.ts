// The chart's namespace-scoped mode (watchNamespace): Roles in the watched
// namespace instead of ClusterRoles are enough to converge an application and
// finalize its Secret, and grant nothing outside that namespace.
import * as k8s from '@kubernetes/client-node';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { eventually } from '../../env/aivenator';
import { adminKubeConfig, freshNamespace } from '../../env/world';
import { createApp, createInstance, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { RestrictedAivenator, applyRbac, forbidden, startRestrictedAivenator } from './restricted';

describe('Aivenator under the chart\'s namespace-scoped RBAC (watchNamespace)', () => {
  let namespace: string;
  let elsewhere: string;
  let aivenator: RestrictedAivenator;

  beforeAll(async () => {
    [namespace, elsewhere] = [await freshNamespace('rbac-ns'), await freshNamespace('rbac-ns-other')];
    // Another release than rbac.test.ts's, so the two never share roles.
    const accounts = await applyRbac({ release: 'scoped', watchNamespace: namespace });
    expect(accounts).toEqual({ controller: 'scoped-aivenator-controller', worker: 'scoped-aivenator-worker' });
    await createInstance(namespace, 'valkeys', 'cache');
    aivenator = await startRestrictedAivenator(namespace, accounts);
    await createApp(namespace, 'myapp', {
      kafka: { pool: 'dev-nais-dev', secretName: 'ns-kafka' },
      valkey: [{ instance: 'cache', access: 'read', secretName: 'ns-valkey' }],
    }, { app: 'myapp', team: namespace });
    await eventually(async () => ((await getApp(namespace, 'myapp')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 60_000, 'RolloutComplete');
  }, 120_000);
  afterAll(() => aivenator?.stop(), 60_000);

  it('converges with Roles in the watched namespace alone', async () => {
    for (const name of ['ns-kafka', 'ns-valkey']) expect((await secretOrUndefined(namespace, name))?.data).toBeDefined();
  });

  it('finalizes a deleted Secret', async () => {
    const uid = (await secretOrUndefined(namespace, 'ns-valkey'))?.metadata?.uid;
    await adminKubeConfig().makeApiClient(k8s.CoreV1Api).deleteNamespacedSecret({ namespace, name: 'ns-valkey' });
    // The spec still names it, so a new Secret of that name may appear at once: the deleted one (its uid) must be gone.
    await eventually(async () => ((await secretOrUndefined(namespace, 'ns-valkey'))?.metadata?.uid !== uid ? true : undefined), 60_000, 'the Secret to be finalized and gone');
  }, 90_000);

  it('grants nothing outside the watched namespace', async () => {
    const workerCore = aivenator.workerKc.makeApiClient(k8s.CoreV1Api);
    const controllerCustom = aivenator.controllerKc.makeApiClient(k8s.CustomObjectsApi);
    await expect(workerCore.listNamespacedSecret({ namespace: elsewhere })).rejects.toMatchObject({ code: 403 });
    await expect(workerCore.listSecretForAllNamespaces()).rejects.toMatchObject({ code: 403 });
    await expect(controllerCustom.listClusterCustomObject({ ...AIVENAPP })).rejects.toMatchObject({ code: 403 });
    await expect(controllerCustom.listNamespacedCustomObject({ ...AIVENAPP, namespace: elsewhere })).rejects.toMatchObject({ code: 403 });
    await expect(controllerCustom.listNamespacedCustomObject({ ...AIVENAPP, namespace })).resolves.toBeDefined();
  });

  it('was never refused by the API server', () => {
    expect(forbidden(aivenator.logs)).toEqual([]);
  });
});
