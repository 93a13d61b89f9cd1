// Which running pods may still hold a Secret's old contents: every pod in the
// namespace that references the Secret (volume, projected volume, env
// secretKeyRef, envFrom, in any container kind) and started before the Secret
// was rewritten. Env values are fixed when a container starts, so such a pod
// keeps the old credentials until it is replaced; a pod started after the
// rewrite (or not yet started) reads the new ones.
import * as k8s from '@kubernetes/client-node';
import { podSpecSecretNames } from '../janitor/in-use';
import { KubeClients } from './clients';
import { PAGE_SIZE, forEachItem } from './secret-lifecycle';

export interface PodHolder {
  pod: string;
  secretName: string;
  /** RFC 3339 start time of the pod. */
  startedAt: string;
}

/** Whether this pod may hold the contents a Secret had before `rewrittenAt`. */
export function holdsOldContents(pod: k8s.V1Pod, secretNames: ReadonlySet<string>, rewrittenAt: Date): string | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined; // its containers are gone
  const started = pod.status?.startTime;
  if (!started) return undefined; // not started yet: it reads the Secret as it is now
  // Pod times have whole seconds: a pod started in the second of the rewrite counts as after it
  // (its containers, and their environment, come up after the pod's start time).
  if (new Date(started).getTime() >= Math.floor(rewrittenAt.getTime() / 1000) * 1000) return undefined;
  return podSpecSecretNames(pod.spec).find((name) => secretNames.has(name));
}

/** Pods of the namespace that may still hold the old contents of any of `secretNames`. */
export async function podsHoldingOldContents(kube: KubeClients, namespace: string, secretNames: string[], rewrittenAt: Date): Promise<PodHolder[]> {
  const names = new Set(secretNames);
  const holders: PodHolder[] = [];
  await forEachItem<k8s.V1Pod>(
    (token) => kube.core.listNamespacedPod({ namespace, limit: PAGE_SIZE, _continue: token }),
    (pod) => {
      const secretName = holdsOldContents(pod, names, rewrittenAt);
      if (secretName) holders.push({ pod: pod.metadata?.name ?? '', secretName, startedAt: new Date(pod.status!.startTime!).toISOString() });
    },
  );
  return holders;
}
