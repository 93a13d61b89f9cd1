// Writes Secrets with server-side apply, so keys, labels and finalizers that
// others added survive, and keys we stop writing are removed.
import * as k8s from '@kubernetes/client-node';
import { FIELD_MANAGER, KubeClients, isKubeError, serverSideApply } from './clients';

export interface DesiredSecret {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  finalizers: string[];
  data: Record<string, string | Buffer>;
}

/** Thrown when a Secret of the wanted name exists but belongs to someone else. */
export class SecretNotManagedError extends Error {
  constructor(readonly namespace: string, readonly secretName: string) {
    super(`Secret ${namespace}/${secretName} exists and is not managed by Aivenator; refusing to overwrite it`);
    this.name = 'SecretNotManagedError';
  }
}

export async function readSecret(kube: KubeClients, namespace: string, name: string): Promise<k8s.V1Secret | null> {
  try {
    return await kube.core.readNamespacedSecret({ namespace, name });
  } catch (err) {
    if (isKubeError(err, 404)) return null;
    throw err;
  }
}

export type ApplyResult = 'created' | 'updated';

/**
 * Creates or updates the Secret. `existing` is the Secret as read before (null
 * when absent); `isManaged` decides whether we may take it over.
 */
export async function applySecret(
  kube: KubeClients,
  desired: DesiredSecret,
  existing: k8s.V1Secret | null,
  isManaged: (secret: k8s.V1Secret) => boolean,
): Promise<ApplyResult> {
  if (existing && !isManaged(existing)) throw new SecretNotManagedError(desired.namespace, desired.name);
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired.data)) {
    data[key] = (typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64');
  }
  const body: k8s.V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: desired.name,
      namespace: desired.namespace,
      labels: desired.labels,
      annotations: desired.annotations,
      finalizers: desired.finalizers,
      // Guards against taking over a Secret someone created between our read and this write.
      ...(existing ? { resourceVersion: existing.metadata?.resourceVersion } : {}),
    },
    data,
  };
  await kube.core.patchNamespacedSecret(
    { namespace: desired.namespace, name: desired.name, body, fieldManager: FIELD_MANAGER, force: true },
    serverSideApply,
  );
  return existing ? 'updated' : 'created';
}

export async function deleteSecret(kube: KubeClients, namespace: string, name: string): Promise<boolean> {
  try {
    await kube.core.deleteNamespacedSecret({ namespace, name });
    return true;
  } catch (err) {
    if (isKubeError(err, 404)) return false;
    throw err;
  }
}

export function secretValue(secret: k8s.V1Secret, key: string): string | undefined {
  const raw = secret.data?.[key];
  return raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
}
