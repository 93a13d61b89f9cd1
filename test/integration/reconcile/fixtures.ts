// Shared setup for reconcile tests: aiven.io instances in the namespace and
// their services in the fake Aiven, and reading back what Aivenator wrote.
import * as k8s from '@kubernetes/client-node';
import { AIVENAPP, AivenApplication, AivenApplicationSpec } from '../../../src/kube/aivenapp-types';
import { mergePatch } from '../../../src/kube/clients';
import { fakeAiven } from '../../env/aivenator';
import { adminKubeConfig, world } from '../../env/world';

export const kc = adminKubeConfig();
export const core = kc.makeApiClient(k8s.CoreV1Api);
export const custom = kc.makeApiClient(k8s.CustomObjectsApi);
export const eventsApi = kc.makeApiClient(k8s.EventsV1Api);

export type InstanceKind = 'opensearches' | 'valkeys';

/** An aiven.io object in the namespace (with a state) and, unless `aivenService` is false, its service in the fake Aiven. */
export async function createInstance(namespace: string, kind: InstanceKind, instance: string, opts: { state?: string; replica?: boolean; aivenService?: boolean } = {}) {
  const type = kind === 'opensearches' ? 'opensearch' : 'valkey';
  const name = `${type}-${namespace}-${instance}`;
  await custom.createNamespacedCustomObject({
    group: 'aiven.io', version: 'v1alpha1', plural: kind, namespace,
    body: { apiVersion: 'aiven.io/v1alpha1', kind: kind === 'opensearches' ? 'OpenSearch' : 'Valkey', metadata: { name, namespace }, spec: {} },
  });
  await setInstanceState(namespace, kind, name, opts.state ?? 'RUNNING');
  if (opts.aivenService !== false) await fakeAiven().putService(world().aiven.mainProject, { name, type, replica: opts.replica });
  return name;
}

export async function setInstanceState(namespace: string, kind: InstanceKind, name: string, state: string) {
  await custom.patchNamespacedCustomObjectStatus(
    { group: 'aiven.io', version: 'v1alpha1', plural: kind, namespace, name, body: { status: { state } } },
    mergePatch,
  );
}

export async function createApp(namespace: string, name: string, spec: AivenApplicationSpec, labels?: Record<string, string>): Promise<AivenApplication> {
  return (await custom.createNamespacedCustomObject({
    ...AIVENAPP, namespace,
    body: { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name, namespace, labels }, spec },
  })) as AivenApplication;
}

export async function getApp(namespace: string, name: string): Promise<AivenApplication> {
  return (await custom.getNamespacedCustomObject({ ...AIVENAPP, namespace, name })) as AivenApplication;
}

export async function patchSpec(namespace: string, name: string, spec: Partial<AivenApplicationSpec>) {
  await custom.patchNamespacedCustomObject({ ...AIVENAPP, namespace, name, body: { spec } }, mergePatch);
}

export async function secretOrUndefined(namespace: string, name: string): Promise<k8s.V1Secret | undefined> {
  try {
    return await core.readNamespacedSecret({ namespace, name });
  } catch (err) {
    if (err instanceof k8s.ApiException && err.code === 404) return undefined;
    throw err;
  }
}

export function decoded(secret: k8s.V1Secret): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

export async function appEvents(namespace: string, regardingName: string): Promise<k8s.EventsV1Event[]> {
  return (await eventsApi.listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${regardingName}` })).items;
}

/** Resolves when the application reports the wanted state for its current generation. */
export async function appState(namespace: string, name: string): Promise<AivenApplication> {
  return getApp(namespace, name);
}
