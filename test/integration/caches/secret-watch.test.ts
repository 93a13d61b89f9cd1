// The controller's Secret watch against the real apiserver: metadata only on
// the wire and in memory, every Secret carrying our finalizer is finalized
// (label or not), and a deleted Secret that a spec still names comes back at
// once (drift checks are off here, so only the controller's signal can do it).
import * as k8s from '@kubernetes/client-node';
import { FINALIZER } from '../../../src/handlers/secret-meta';
import { metadataListOptions } from '../../../src/kube/cache/cache-watch';
import { InformerCache, ListPage } from '../../../src/kube/cache/informer';
import { LAST_APPLIED } from '../../../src/kube/cache/trim';
import { createLogger } from '../../../src/log';
import { AivenatorUnderTest, eventually, isConverged, startAivenator } from '../../env/aivenator';
import { adminKubeConfig, freshNamespace, world } from '../../env/world';
import { core, createApp, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { waitSecretGone } from '../lifecycle/fixtures';

const SECRET_DATA = Buffer.from('super secret value').toString('base64');

async function createSecret(namespace: string, name: string, meta: Partial<k8s.V1ObjectMeta> = {}): Promise<k8s.V1Secret> {
  return core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name, namespace, ...meta, annotations: { ...meta.annotations, [LAST_APPLIED]: JSON.stringify({ data: { password: SECRET_DATA } }) } },
      data: { password: SECRET_DATA },
    },
  });
}

describe('the metadata-only Secret watch', () => {
  it('receives no Secret data from the apiserver, neither from the list nor from the watch', async () => {
    const namespace = await freshNamespace('meta-wire');
    await createSecret(namespace, 'listed');
    const delivered: k8s.KubernetesObject[] = [];
    const kube = adminKubeConfig().makeApiClient(k8s.CoreV1Api);
    const cache = new InformerCache<k8s.KubernetesObject>({
      kc: adminKubeConfig(),
      path: `/api/v1/namespaces/${namespace}/secrets`,
      listPage: (token) => kube.listNamespacedSecret({ namespace, _continue: token }, metadataListOptions) as Promise<ListPage<k8s.KubernetesObject>>,
      metadataOnly: true,
      // Records what the server sent, before anything is trimmed.
      transform: (o) => (delivered.push(o), o),
      what: 'test',
      log: createLogger({ level: 'silent' }),
    });
    await cache.start();
    try {
      expect(cache.isSynced()).toBe(true);
      await createSecret(namespace, 'watched');
      await eventually(async () => (cache.get('watched', namespace) ? true : undefined), 30_000, 'the watch to deliver the new Secret');
      expect(delivered.map((o) => o.metadata?.name).sort()).toEqual(['listed', 'watched']);
      for (const object of delivered) {
        expect((object as k8s.V1Secret).data).toBeUndefined();
        // The watch event says what the server sent: a PartialObjectMetadata.
        if (object.metadata?.name === 'watched') expect(object.kind).toBe('PartialObjectMetadata');
      }
    } finally {
      await cache.stop();
    }
  });
});

describe('the Secret controller', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('meta-ctl');
    aivenator = await startAivenator({ namespace });
  });
  afterAll(() => aivenator?.stop());

  it('holds no Secret data, nor kubectl\'s copy of it in last-applied-configuration', async () => {
    await createSecret(namespace, 'held', { labels: { team: 'x' } });
    const held = await eventually(async () => aivenator.secretController!.held().find((s) => s.metadata?.name === 'held'), 30_000, 'the controller to see the Secret');
    expect(held.data).toBeUndefined();
    expect(held.metadata?.annotations?.[LAST_APPLIED]).toBeUndefined();
    expect(JSON.stringify(aivenator.secretController!.held())).not.toContain(SECRET_DATA);
  });

  it('finalizes a Secret that carries our finalizer but lost its type label', async () => {
    await createSecret(namespace, 'unlabelled', { finalizers: [FINALIZER] });
    await core.deleteNamespacedSecret({ namespace, name: 'unlabelled' });
    await waitSecretGone(namespace, 'unlabelled', 60_000);
  });

  it('rewrites a deleted Secret that the application still names, without waiting for a drift check', async () => {
    await createApp(namespace, 'comeback', { kafka: { pool: world().aiven.mainProject, secretName: 'comeback-kafka' } });
    await eventually(async () => (isConverged(await getApp(namespace, 'comeback')) ? true : undefined), 60_000, 'the application to converge');
    const before = await secretOrUndefined(namespace, 'comeback-kafka');
    expect(before?.metadata?.uid).toBeDefined();

    await core.deleteNamespacedSecret({ namespace, name: 'comeback-kafka' });
    const after = await eventually(async () => {
      const s = await secretOrUndefined(namespace, 'comeback-kafka');
      return s && s.metadata?.uid !== before!.metadata!.uid && !s.metadata?.deletionTimestamp ? s : undefined;
    }, 60_000, 'the Secret to be written again');
    expect(after.data?.KAFKA_BROKERS).toBeDefined();
  });
});
