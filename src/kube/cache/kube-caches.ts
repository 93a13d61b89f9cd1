// The worker's shared informer caches for the janitor: managed Secrets
// (metadata only), Pods, every workload kind with a pod template and
// AivenApplications (each reduced to the Secret names it uses), in one
// namespace or in all. One LIST and one WATCH per kind for the life of the
// process instead of a LIST of each per janitor pass.
//
// The lag rule: a cache may be behind the apiserver, so it only ever names
// *candidates* for deletion. Before a candidate is deleted, the janitor
// confirms it with a live, consistent read of everything that may use it
// (`confirmUsage`: quorum LISTs of the namespace, coalesced per namespace),
// and deletes with uid + resourceVersion preconditions. A cache that has not
// yet seen a new Pod can therefore delay a deletion, never cause one.
import * as k8s from '@kubernetes/client-node';
import { LABEL_TYPE, SECRET_TYPE } from '../../handlers/secret-meta';
import { UsageIndex, WorkloadKind } from '../../janitor/in-use';
import { Logger } from '../../log';
import { AIVENAPP } from '../aivenapp-types';
import { KubeClients } from '../clients';
import { PAGE_SIZE } from '../secret-lifecycle';
import { buildUsage } from '../usage';
import { metadataListOptions } from './cache-watch';
import { Coalescer } from './coalesce';
import { InformerCache, ListPage } from './informer';
import { SecretUser, SlimObject, secretUserOfApp, secretUserOfWorkload, slim } from './trim';

export interface KubeCachesOptions {
  kube: KubeClients;
  log: Logger;
  /** One namespace only; all namespaces when absent. */
  namespace?: string;
  restartDelayMs?: number;
  /** How long live confirmations for one namespace wait for company. */
  confirmDebounceMs?: number;
}

type Page = ListPage<k8s.KubernetesObject>;
type Paged = { limit: number; _continue?: string };

export class KubeCaches {
  readonly secrets: InformerCache<k8s.KubernetesObject>;
  private readonly users: InformerCache<k8s.KubernetesObject>[];
  private readonly confirmations: Coalescer<UsageIndex>;

  constructor(private readonly opts: KubeCachesOptions) {
    const { kube, namespace: ns } = opts;
    const scope = ns ? `/namespaces/${ns}` : '';
    const p = (t: string | undefined): Paged => ({ limit: PAGE_SIZE, _continue: t });
    const common = { kc: kube.kc, log: opts.log, restartDelayMs: opts.restartDelayMs };
    const labelSelector = `${LABEL_TYPE}=${SECRET_TYPE}`;
    this.secrets = new InformerCache({
      ...common,
      what: 'managed Secret cache',
      path: `/api/v1${scope}/secrets`,
      labelSelector,
      metadataOnly: true,
      transform: slim,
      listPage: (t) =>
        (ns
          ? kube.core.listNamespacedSecret({ namespace: ns, labelSelector, ...p(t) }, metadataListOptions)
          : kube.core.listSecretForAllNamespaces({ labelSelector, ...p(t) }, metadataListOptions)) as Promise<Page>,
    });
    const workload = (kind: WorkloadKind, apiPath: string, plural: string, list: (t: string | undefined) => Promise<unknown>) =>
      new InformerCache({ ...common, what: `${kind} cache`, path: `${apiPath}${scope}/${plural}`, transform: secretUserOfWorkload(kind), listPage: list as (t: string | undefined) => Promise<Page> });
    this.users = [
      workload('Pod', '/api/v1', 'pods', (t) => (ns ? kube.core.listNamespacedPod({ namespace: ns, ...p(t) }) : kube.core.listPodForAllNamespaces(p(t)))),
      workload('ReplicaSet', '/apis/apps/v1', 'replicasets', (t) => (ns ? kube.apps.listNamespacedReplicaSet({ namespace: ns, ...p(t) }) : kube.apps.listReplicaSetForAllNamespaces(p(t)))),
      workload('Deployment', '/apis/apps/v1', 'deployments', (t) => (ns ? kube.apps.listNamespacedDeployment({ namespace: ns, ...p(t) }) : kube.apps.listDeploymentForAllNamespaces(p(t)))),
      workload('StatefulSet', '/apis/apps/v1', 'statefulsets', (t) => (ns ? kube.apps.listNamespacedStatefulSet({ namespace: ns, ...p(t) }) : kube.apps.listStatefulSetForAllNamespaces(p(t)))),
      workload('DaemonSet', '/apis/apps/v1', 'daemonsets', (t) => (ns ? kube.apps.listNamespacedDaemonSet({ namespace: ns, ...p(t) }) : kube.apps.listDaemonSetForAllNamespaces(p(t)))),
      workload('Job', '/apis/batch/v1', 'jobs', (t) => (ns ? kube.batch.listNamespacedJob({ namespace: ns, ...p(t) }) : kube.batch.listJobForAllNamespaces(p(t)))),
      workload('CronJob', '/apis/batch/v1', 'cronjobs', (t) => (ns ? kube.batch.listNamespacedCronJob({ namespace: ns, ...p(t) }) : kube.batch.listCronJobForAllNamespaces(p(t)))),
      new InformerCache({
        ...common,
        what: 'AivenApplication cache',
        path: `/apis/${AIVENAPP.group}/${AIVENAPP.version}${scope}/${AIVENAPP.plural}`,
        transform: secretUserOfApp,
        listPage: (t) =>
          (ns
            ? kube.custom.listNamespacedCustomObject({ ...AIVENAPP, namespace: ns, ...p(t) })
            : kube.custom.listClusterCustomObject({ ...AIVENAPP, ...p(t) })) as Promise<Page>,
      }),
    ];
    this.confirmations = new Coalescer((key) => buildUsage(kube, key === '' ? undefined : key), opts.confirmDebounceMs ?? 200);
  }

  private firstAttempt?: Promise<void>;

  /** Starts every informer at once; resolves when each has made its first attempt. */
  start(): Promise<void> {
    this.firstAttempt ??= Promise.all([this.secrets, ...this.users].map((c) => c.start())).then(() => undefined);
    return this.firstAttempt;
  }

  /**
   * Whether the caches can answer now: waits for a start in progress, never
   * for a failing watch (e.g. RBAC without `watch`): the janitor then lists
   * live instead of waiting.
   */
  async ready(): Promise<boolean> {
    if (!this.firstAttempt) return false;
    await this.firstAttempt;
    return this.isSynced();
  }

  async stop(): Promise<void> {
    await Promise.all([this.secrets, ...this.users].map((c) => c.stop()));
  }

  /** True when the caches can answer for this namespace (or for all, when absent). */
  covers(namespace?: string): boolean {
    return this.opts.namespace === undefined || this.opts.namespace === namespace;
  }

  isSynced(): boolean {
    return [this.secrets, ...this.users].every((c) => c.isSynced());
  }

  async waitForSync(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all([this.secrets, ...this.users].map((c) => c.waitForSync(timeoutMs)));
    return results.every(Boolean);
  }

  /** Managed Secrets (metadata only), optionally only those labelled app=<app>. */
  managedSecrets(namespace?: string, app?: string): SlimObject[] {
    const all = this.secrets.list(namespace) as unknown as SlimObject[];
    return app === undefined ? [...all] : all.filter((s) => s.metadata.labels?.app === app);
  }

  /** Which Secrets the cached objects use. May lag: good for finding candidates, not for deleting. */
  usage(namespace?: string): UsageIndex {
    const index = new UsageIndex();
    for (const cache of this.users) {
      for (const user of cache.list(namespace) as unknown as SecretUser[]) {
        const by = `${user.kind}/${user.metadata.name ?? '?'}`;
        for (const name of user.secretNames) index.add(user.metadata.namespace, name, by);
      }
    }
    return index;
  }

  /** A live, consistent inventory of the namespace (all when absent); concurrent requests share one. */
  confirmUsage(namespace?: string): Promise<UsageIndex> {
    return this.confirmations.get(namespace ?? '');
  }

  /** How many live confirmations ran (for tests and figures). */
  get confirmationRuns(): number {
    return this.confirmations.runs;
  }

  /** One kind's cache (tests make it lag with `lag(true)`). */
  cacheOf(kind: WorkloadKind | 'AivenApplication'): InformerCache<k8s.KubernetesObject> | undefined {
    const index = ['Pod', 'ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'AivenApplication'].indexOf(kind);
    return this.users[index];
  }
}
