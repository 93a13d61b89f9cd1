// Checks that an aiven.io OpenSearch or Valkey object exists in the
// application's own namespace and is RUNNING, so no team can borrow another
// team's instance (aivenator #477).
import { KubeClients, isKubeError } from './clients';

export type InstanceKind = 'opensearches' | 'valkeys';

export class InstanceNotFoundError extends Error {
  constructor(readonly kind: InstanceKind, readonly namespace: string, readonly candidates: string[]) {
    super(`no aiven.io ${kind} object named ${candidates.join(' or ')} in namespace ${namespace}`);
    this.name = 'InstanceNotFoundError';
  }
}

export class InstanceNotReadyError extends Error {
  constructor(readonly kind: InstanceKind, readonly namespace: string, readonly instance: string, readonly state: string | undefined) {
    super(`aiven.io ${kind} ${namespace}/${instance} is ${state ?? 'without a state'}, not RUNNING`);
    this.name = 'InstanceNotReadyError';
  }
}

/** Returns the name of the first candidate object that exists; it must be RUNNING. */
export async function findRunningInstance(kube: KubeClients, kind: InstanceKind, namespace: string, candidates: string[]): Promise<string> {
  for (const name of candidates) {
    let object: { status?: { state?: string } };
    try {
      object = (await kube.custom.getNamespacedCustomObject({ group: 'aiven.io', version: 'v1alpha1', plural: kind, namespace, name })) as typeof object;
    } catch (err) {
      if (isKubeError(err, 404)) continue;
      throw err;
    }
    if (object.status?.state !== 'RUNNING') throw new InstanceNotReadyError(kind, namespace, name, object.status?.state);
    return name;
  }
  throw new InstanceNotFoundError(kind, namespace, candidates);
}
