// What the caches keep of an object: identity, labels, annotations, finalizers
// and the deletion mark; never managedFields, and never the
// kubectl.kubernetes.io/last-applied-configuration annotation (for a Secret
// applied with kubectl it holds the Secret's data).
import * as k8s from '@kubernetes/client-node';
import { WorkloadKind, aivenAppSecretNames, podSpecSecretNames, workloadPodSpec } from '../../janitor/in-use';
import type { AivenAppLike, Workload } from '../../janitor/in-use';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface SlimMeta {
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: Date | string;
}

export interface SlimObject {
  apiVersion?: string;
  kind?: string;
  metadata: SlimMeta;
}

/** A Pod, workload or AivenApplication reduced to the Secret names it uses. */
export interface SecretUser extends SlimObject {
  secretNames: string[];
}

export function slimMeta(meta: k8s.V1ObjectMeta | undefined): SlimMeta {
  const m = meta ?? {};
  let annotations = m.annotations;
  if (annotations && LAST_APPLIED in annotations) {
    annotations = { ...annotations };
    delete annotations[LAST_APPLIED];
  }
  return {
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    ...(m.generation !== undefined ? { generation: m.generation } : {}),
    ...(m.labels ? { labels: m.labels } : {}),
    ...(annotations ? { annotations } : {}),
    ...(m.finalizers ? { finalizers: m.finalizers } : {}),
    ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
  };
}

/** Metadata only: what a Secret cache keeps, whatever the server sent. */
export function slim<T extends k8s.KubernetesObject>(object: T): T {
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: slimMeta(object.metadata) } as T;
}

/** The transform for a Pod or workload cache: metadata plus the Secret names its pod spec uses. */
export function secretUserOfWorkload(kind: WorkloadKind) {
  return (object: k8s.KubernetesObject): k8s.KubernetesObject => {
    const secretNames = podSpecSecretNames(workloadPodSpec({ ...(object as Omit<Workload, 'kind'>), kind }));
    return { kind, metadata: slimMeta(object.metadata), secretNames } as SecretUser as k8s.KubernetesObject;
  };
}

/** The transform for an AivenApplication cache. */
export function secretUserOfApp(object: k8s.KubernetesObject): k8s.KubernetesObject {
  return { kind: 'AivenApplication', metadata: slimMeta(object.metadata), secretNames: aivenAppSecretNames(object as AivenAppLike) } as SecretUser as k8s.KubernetesObject;
}
