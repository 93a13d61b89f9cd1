// The janitor's decisions, pure: which managed Secrets something in the SAME
// namespace still uses, and what happens to each Secret. The reference matched
// Pods in any namespace by name and only looked at volumes of ReplicaSets, Jobs
// and CronJobs (aivenator-behaviour.md §4); here a reference only counts in the
// Secret's own namespace, and workload templates count with every kind of use.
import type * as k8s from '@kubernetes/client-node';
import {
  ANNOTATION_EXPIRES_AT,
  ANNOTATION_PROTECTED,
  ANNOTATION_WITH_TIME_LIMIT,
  parseRfc3339,
} from '../handlers/secret-meta';

/** Every Secret name a pod spec uses: volumes, projected volume sources, env and envFrom of every container kind. */
export function podSpecSecretNames(spec: k8s.V1PodSpec | undefined): string[] {
  if (!spec) return [];
  const names = new Set<string>();
  const add = (name: string | undefined) => {
    if (name) names.add(name);
  };
  for (const volume of spec.volumes ?? []) {
    add(volume.secret?.secretName);
    for (const source of volume.projected?.sources ?? []) add(source.secret?.name);
  }
  const containers: (k8s.V1Container | k8s.V1EphemeralContainer)[] = [
    ...(spec.containers ?? []),
    ...(spec.initContainers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ];
  for (const container of containers) {
    for (const env of container.env ?? []) add(env.valueFrom?.secretKeyRef?.name);
    for (const from of container.envFrom ?? []) add(from.secretRef?.name);
  }
  return [...names];
}

export type WorkloadKind = 'Pod' | 'ReplicaSet' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

/** A Pod or a workload with a pod template; only the fields the janitor reads. */
export interface Workload {
  kind: WorkloadKind;
  metadata?: { namespace?: string; name?: string };
  spec?: {
    // Pod
    containers?: unknown;
    // ReplicaSet, Deployment, StatefulSet, DaemonSet, Job
    template?: { spec?: k8s.V1PodSpec };
    // CronJob
    jobTemplate?: { spec?: { template?: { spec?: k8s.V1PodSpec } } };
  };
}

/** The pod spec of a Pod, of a workload's template, or of a CronJob's job template. */
export function workloadPodSpec(w: Workload): k8s.V1PodSpec | undefined {
  switch (w.kind) {
    case 'Pod':
      return w.spec as k8s.V1PodSpec | undefined;
    case 'CronJob':
      return w.spec?.jobTemplate?.spec?.template?.spec;
    default:
      return w.spec?.template?.spec;
  }
}

/** What an AivenApplication names: spec.secretName, kafka/openSearch secretName and every valkey[].secretName. */
export interface AivenAppLike {
  metadata?: { namespace?: string; name?: string };
  spec?: {
    secretName?: string;
    kafka?: { secretName?: string };
    openSearch?: { secretName?: string };
    valkey?: { secretName?: string }[];
  };
}

export function aivenAppSecretNames(app: AivenAppLike): string[] {
  const spec = app.spec ?? {};
  const names = [spec.secretName, spec.kafka?.secretName, spec.openSearch?.secretName, ...(spec.valkey ?? []).map((v) => v?.secretName)];
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

/** Which Secrets are used, keyed by namespace; remembers one user per Secret for logs and events. */
export class UsageIndex {
  private readonly used = new Map<string, Map<string, string>>();

  add(namespace: string | undefined, secretName: string, by: string): void {
    if (!namespace) return;
    let names = this.used.get(namespace);
    if (!names) this.used.set(namespace, (names = new Map()));
    if (!names.has(secretName)) names.set(secretName, by);
  }

  addWorkload(w: Workload): void {
    const by = `${w.kind}/${w.metadata?.name ?? '?'}`;
    for (const name of podSpecSecretNames(workloadPodSpec(w))) this.add(w.metadata?.namespace, name, by);
  }

  addAivenApp(app: AivenAppLike): void {
    const by = `AivenApplication/${app.metadata?.name ?? '?'}`;
    for (const name of aivenAppSecretNames(app)) this.add(app.metadata?.namespace, name, by);
  }

  /** Who uses the Secret (e.g. "Pod/web-1"), or undefined. Only the same namespace counts. */
  usedBy(namespace: string, secretName: string): string | undefined {
    return this.used.get(namespace)?.get(secretName);
  }
}

export interface UsageSources {
  pods?: Workload[];
  replicaSets?: Workload[];
  deployments?: Workload[];
  statefulSets?: Workload[];
  daemonSets?: Workload[];
  jobs?: Workload[];
  cronJobs?: Workload[];
  aivenApps?: AivenAppLike[];
}

export function buildUsageIndex(sources: UsageSources): UsageIndex {
  const index = new UsageIndex();
  const all = [sources.pods, sources.replicaSets, sources.deployments, sources.statefulSets, sources.daemonSets, sources.jobs, sources.cronJobs];
  for (const list of all) for (const w of list ?? []) index.addWorkload(w);
  for (const app of sources.aivenApps ?? []) index.addAivenApp(app);
  return index;
}

/** The states of the `secrets_managed` gauge. */
export type ManagedState = 'in_use' | 'protected' | 'protected-with-time-limit';

export type JanitorDecision =
  | { action: 'keep'; state: ManagedState; usedBy?: string; expiresAt?: string }
  /** Already being deleted: the finalizer owns it now. Neither counted nor touched. */
  | { action: 'skip'; why: 'terminating' }
  | { action: 'delete'; why: 'unused' | 'protection-expired'; expiresAt?: string };

export interface SecretLike {
  metadata?: { namespace?: string; name?: string; annotations?: Record<string, string>; deletionTimestamp?: Date | string };
}

/**
 * The reference's rules: a used Secret stays; an unused protected Secret stays
 * unless it carries with-time-limit="true" and a parseable expires-at that has
 * passed; everything else unused goes. A protected Secret whose time limit is
 * missing or unparseable stays (plain `protected`).
 */
export function decideSecret(secret: SecretLike, usage: UsageIndex, now: Date): JanitorDecision {
  const meta = secret.metadata ?? {};
  if (meta.deletionTimestamp) return { action: 'skip', why: 'terminating' };
  const usedBy = usage.usedBy(meta.namespace ?? '', meta.name ?? '');
  if (usedBy) return { action: 'keep', state: 'in_use', usedBy };
  const annotations = meta.annotations ?? {};
  if (annotations[ANNOTATION_PROTECTED] !== 'true') return { action: 'delete', why: 'unused' };
  if (annotations[ANNOTATION_WITH_TIME_LIMIT] !== 'true') return { action: 'keep', state: 'protected' };
  const raw = annotations[ANNOTATION_EXPIRES_AT];
  const expiresAt = raw === undefined ? undefined : parseRfc3339(raw);
  if (!expiresAt) return { action: 'keep', state: 'protected' };
  if (expiresAt.getTime() < now.getTime()) return { action: 'delete', why: 'protection-expired', expiresAt: raw };
  return { action: 'keep', state: 'protected-with-time-limit', expiresAt: raw };
}

/** The `secrets_managed` gauge's values, keyed by its `state` label (as MetricsHooks.secretsManaged takes them). */
export type SecretsManagedCounts = Record<ManagedState, number>;

export function countKept(decisions: JanitorDecision[]): SecretsManagedCounts {
  const counts: SecretsManagedCounts = { in_use: 0, protected: 0, 'protected-with-time-limit': 0 };
  for (const d of decisions) if (d.action === 'keep') counts[d.state]++;
  return counts;
}
