// The real kube-apiserver with our CRDs: objects round-trip and the CRD schema rejects bad specs.
import * as k8s from '@kubernetes/client-node';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { describeKubeError } from '../../../src/kube/clients';
import { adminKubeConfig, freshNamespace } from '../../env/world';

const kc = adminKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);

function aivenApp(namespace: string, name: string, spec: object) {
  return { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name, namespace }, spec };
}

describe('kube-apiserver test world', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await freshNamespace('world');
  });

  it('stores a Secret', async () => {
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 's1' }, stringData: { KEY: 'value' } } });
    const secret = await core.readNamespacedSecret({ namespace, name: 's1' });
    expect(Buffer.from(secret.data!.KEY, 'base64').toString()).toBe('value');
  });

  it('stores an AivenApplication and its status through the status subresource', async () => {
    const body = aivenApp(namespace, 'app1', { kafka: { pool: 'dev-nais-dev', secretName: 'kafka-secret' }, valkey: [{ instance: 'cache', access: 'readwrite' }] });
    await custom.createNamespacedCustomObject({ ...AIVENAPP, namespace, body });
    await custom.patchNamespacedCustomObjectStatus(
      { ...AIVENAPP, namespace, name: 'app1', body: { status: { synchronizationState: 'RolloutComplete', observedGeneration: 1 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const stored = (await custom.getNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'app1' })) as {
      metadata: { generation: number };
      spec: { valkey: { access: string }[] };
      status: { synchronizationState: string };
    };
    expect(stored.metadata.generation).toBe(1);
    expect(stored.spec.valkey[0].access).toBe('readwrite');
    expect(stored.status.synchronizationState).toBe('RolloutComplete');
  });

  it.each([
    ['a kafka block without pool', { kafka: { secretName: 'x' } }, /pool: Required value/],
    ['an unknown access level', { openSearch: { instance: 'x', access: 'superuser' } }, /Unsupported value: "superuser"/],
    ['an expiresAt that is not a date-time', { expiresAt: 'tomorrow' }, /expiresAt/],
  ])('rejects %s', async (_what, spec, message) => {
    const err = await custom.createNamespacedCustomObject({ ...AIVENAPP, namespace, body: aivenApp(namespace, 'bad', spec) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 422 });
    expect(describeKubeError(err)).toMatch(message);
  });

  it('finds the aiven.io OpenSearch and Valkey kinds', async () => {
    for (const plural of ['opensearches', 'valkeys']) {
      const body = { apiVersion: 'aiven.io/v1alpha1', kind: plural === 'valkeys' ? 'Valkey' : 'OpenSearch', metadata: { name: 'i1', namespace }, spec: {} };
      await custom.createNamespacedCustomObject({ group: 'aiven.io', version: 'v1alpha1', namespace, plural, body });
      await custom.patchNamespacedCustomObjectStatus(
        { group: 'aiven.io', version: 'v1alpha1', namespace, plural, name: 'i1', body: { status: { state: 'RUNNING' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      const got = (await custom.getNamespacedCustomObject({ group: 'aiven.io', version: 'v1alpha1', namespace, plural, name: 'i1' })) as { status: { state: string } };
      expect(got.status.state).toBe('RUNNING');
    }
  });
});
