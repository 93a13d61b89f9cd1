// Reads and writes AivenApplications (aiven.nais.io/v1).
import { AIVENAPP, AivenApplication, AivenApplicationStatus } from './aivenapp-types';
import { KubeClients, isKubeError, mergePatch } from './clients';

export async function getAivenApp(kube: KubeClients, namespace: string, name: string): Promise<AivenApplication | null> {
  try {
    return (await kube.custom.getNamespacedCustomObject({ ...AIVENAPP, namespace, name })) as AivenApplication;
  } catch (err) {
    if (isKubeError(err, 404)) return null;
    throw err;
  }
}

/** A merge patch on the status subresource: only the fields given change. */
export async function patchAivenAppStatus(kube: KubeClients, namespace: string, name: string, status: AivenApplicationStatus): Promise<void> {
  await kube.custom.patchNamespacedCustomObjectStatus({ ...AIVENAPP, namespace, name, body: { status } }, mergePatch);
}

/** Deletes the application; true if it was there. `uid` guards against deleting a newer object of the same name. */
export async function deleteAivenApp(kube: KubeClients, namespace: string, name: string, uid?: string): Promise<boolean> {
  try {
    await kube.custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace, name, body: uid ? { preconditions: { uid } } : undefined });
    return true;
  } catch (err) {
    if (isKubeError(err, 404)) return false;
    throw err;
  }
}

export async function listAivenApps(kube: KubeClients, namespace?: string): Promise<AivenApplication[]> {
  const list = (namespace
    ? await kube.custom.listNamespacedCustomObject({ ...AIVENAPP, namespace })
    : await kube.custom.listClusterCustomObject({ ...AIVENAPP })) as { items: AivenApplication[] };
  return list.items;
}
