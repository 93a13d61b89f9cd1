// Lists what may use a Secret (Pods, workloads with pod templates and
// AivenApplications), in one namespace or in all, page by page, keeping only
// the Secret names each one uses. Any failing list call fails the whole
// inventory: the janitor never decides on partial information. With the
// worker's caches (src/kube/cache) this is the live, consistent read that
// confirms a deletion; without them, every sweep's inventory.
import { AIVENAPP } from './aivenapp-types';
import { KubeClients } from './clients';
import { PAGE_SIZE, forEachItem } from './secret-lifecycle';
import { AivenAppLike, UsageIndex, Workload, WorkloadKind } from '../janitor/in-use';

type Lister = (token: string | undefined) => Promise<{ items: unknown[]; metadata?: { _continue?: string } }>;

/** Which list call failed, so a skipped sweep can say what it could not see. */
export class InventoryError extends Error {
  constructor(readonly what: string, override readonly cause: unknown) {
    super(`listing ${what} failed`);
    this.name = 'InventoryError';
  }
}

export async function buildUsage(kube: KubeClients, namespace?: string): Promise<UsageIndex> {
  const index = new UsageIndex();
  const p = (token: string | undefined) => ({ limit: PAGE_SIZE, _continue: token });
  const ns = namespace;
  const workloads: [WorkloadKind, string, Lister][] = [
    ['Pod', 'pods', (t) => (ns ? kube.core.listNamespacedPod({ namespace: ns, ...p(t) }) : kube.core.listPodForAllNamespaces(p(t)))],
    ['ReplicaSet', 'replicasets', (t) => (ns ? kube.apps.listNamespacedReplicaSet({ namespace: ns, ...p(t) }) : kube.apps.listReplicaSetForAllNamespaces(p(t)))],
    ['Deployment', 'deployments', (t) => (ns ? kube.apps.listNamespacedDeployment({ namespace: ns, ...p(t) }) : kube.apps.listDeploymentForAllNamespaces(p(t)))],
    ['StatefulSet', 'statefulsets', (t) => (ns ? kube.apps.listNamespacedStatefulSet({ namespace: ns, ...p(t) }) : kube.apps.listStatefulSetForAllNamespaces(p(t)))],
    ['DaemonSet', 'daemonsets', (t) => (ns ? kube.apps.listNamespacedDaemonSet({ namespace: ns, ...p(t) }) : kube.apps.listDaemonSetForAllNamespaces(p(t)))],
    ['Job', 'jobs', (t) => (ns ? kube.batch.listNamespacedJob({ namespace: ns, ...p(t) }) : kube.batch.listJobForAllNamespaces(p(t)))],
    ['CronJob', 'cronjobs', (t) => (ns ? kube.batch.listNamespacedCronJob({ namespace: ns, ...p(t) }) : kube.batch.listCronJobForAllNamespaces(p(t)))],
  ];
  for (const [kind, what, list] of workloads) {
    await collect(what, list, (item) => index.addWorkload({ ...(item as Omit<Workload, 'kind'>), kind }));
  }
  const apps: Lister = (t) =>
    (ns
      ? kube.custom.listNamespacedCustomObject({ ...AIVENAPP, namespace: ns, ...p(t) })
      : kube.custom.listClusterCustomObject({ ...AIVENAPP, ...p(t) })) as ReturnType<Lister>;
  await collect('aivenapplications', apps, (item) => index.addAivenApp(item as AivenAppLike));
  return index;
}

async function collect(what: string, list: Lister, add: (item: unknown) => void): Promise<void> {
  try {
    // Each page is folded into the index and dropped, so a big cluster is never held in memory at once.
    await forEachItem<unknown>(list, add);
  } catch (err) {
    throw new InventoryError(what, err);
  }
}
