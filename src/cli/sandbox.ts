// The sandbox's sample world: two team namespaces, their aiven.io OpenSearch
// and Valkey objects (RUNNING) with matching services in the fake Aiven, and
// three AivenApplications between them covering Kafka, OpenSearch and Valkey.
import * as k8s from '@kubernetes/client-node';
import { FakeAivenControl } from '../fake-aiven';
import { AIVENAPP, AivenApplication, AivenApplicationSpec } from '../kube/aivenapp-types';
import { failureSummary } from '../kube/status';
import { KubeClients, isKubeError, mergePatch } from '../kube/clients';

export interface SampleInstance {
  namespace: string;
  kind: 'opensearches' | 'valkeys';
  instance: string;
  replica?: boolean;
}

export interface SampleApp {
  namespace: string;
  name: string;
  spec: AivenApplicationSpec;
}

export const SAMPLE_NAMESPACES = ['orders', 'analytics'];

export const SAMPLE_INSTANCES: SampleInstance[] = [
  { namespace: 'orders', kind: 'valkeys', instance: 'sessions', replica: true },
  { namespace: 'analytics', kind: 'opensearches', instance: 'logs' },
  { namespace: 'analytics', kind: 'valkeys', instance: 'cache' },
];

export function sampleApps(pool: string): SampleApp[] {
  return [
    {
      namespace: 'orders',
      name: 'checkout',
      spec: {
        kafka: { pool, secretName: 'checkout-kafka' },
        valkey: [{ instance: 'sessions', access: 'readwrite', secretName: 'checkout-valkey-sessions' }],
      },
    },
    { namespace: 'orders', name: 'payments', spec: { kafka: { pool, secretName: 'payments-kafka' } } },
    {
      namespace: 'analytics',
      name: 'dashboard',
      spec: {
        openSearch: { instance: 'logs', access: 'read', secretName: 'dashboard-opensearch' },
        valkey: [{ instance: 'cache', access: 'read', secretName: 'dashboard-valkey-cache' }],
      },
    },
  ];
}

export function instanceName(i: Pick<SampleInstance, 'namespace' | 'kind' | 'instance'>): string {
  return `${i.kind === 'opensearches' ? 'opensearch' : 'valkey'}-${i.namespace}-${i.instance}`;
}

async function ignoreConflict(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!isKubeError(err, 409)) throw err;
  }
}

/** Creates everything (idempotent: objects that exist are left alone). */
export async function createSampleWorld(kube: KubeClients, fake: FakeAivenControl, mainProject: string, apps: SampleApp[]): Promise<void> {
  for (const namespace of SAMPLE_NAMESPACES) {
    await ignoreConflict(() => kube.core.createNamespace({ body: { metadata: { name: namespace, labels: { team: namespace } } } }));
  }
  for (const i of SAMPLE_INSTANCES) {
    const name = instanceName(i);
    const type = i.kind === 'opensearches' ? 'opensearch' : 'valkey';
    await fake.putService(mainProject, { name, type, replica: i.replica });
    await ignoreConflict(() =>
      kube.custom.createNamespacedCustomObject({
        group: 'aiven.io', version: 'v1alpha1', plural: i.kind, namespace: i.namespace,
        body: { apiVersion: 'aiven.io/v1alpha1', kind: i.kind === 'opensearches' ? 'OpenSearch' : 'Valkey', metadata: { name, namespace: i.namespace }, spec: { project: mainProject, plan: 'startup-4' } },
      }),
    );
    await kube.custom.patchNamespacedCustomObjectStatus(
      { group: 'aiven.io', version: 'v1alpha1', plural: i.kind, namespace: i.namespace, name, body: { status: { state: 'RUNNING' } } },
      mergePatch,
    );
  }
  for (const app of apps) {
    const body: AivenApplication = {
      apiVersion: 'aiven.nais.io/v1',
      kind: 'AivenApplication',
      metadata: { name: app.name, namespace: app.namespace, labels: { app: app.name, team: app.namespace } },
      spec: app.spec,
    };
    await ignoreConflict(() => kube.custom.createNamespacedCustomObject({ ...AIVENAPP, namespace: app.namespace, body }));
  }
}

export interface WatchedApp {
  key: string;
  state?: string;
  generation: number;
  syncedGeneration?: number;
  error?: string;
}

/**
 * Polls AivenApplications and managed Secrets and reports what changed: one
 * line per Secret written and per application state. Returns the apps' view.
 */
export class ProgressWatcher {
  private readonly apps = new Map<string, string>();
  private readonly secrets = new Map<string, string>();

  constructor(private readonly kube: KubeClients, private readonly print: (line: string) => void) {}

  async poll(): Promise<WatchedApp[]> {
    const apps = ((await this.kube.custom.listClusterCustomObject({ ...AIVENAPP })) as { items: AivenApplication[] }).items;
    const secrets = await this.kube.core.listSecretForAllNamespaces({ labelSelector: 'type=aivenator.aiven.nais.io' });
    for (const s of secrets.items) {
      const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
      const version = s.metadata?.resourceVersion ?? '';
      const before = this.secrets.get(key);
      if (before === version) continue;
      this.secrets.set(key, version);
      const annotations = s.metadata?.annotations ?? {};
      const user = Object.entries(annotations).find(([k]) => k.endsWith('/serviceUser'))?.[1];
      this.print(`  Secret ${key} ${before === undefined ? 'written' : 'updated'} (${Object.keys(s.data ?? {}).length} keys${user ? `, user ${user}` : ''})`);
    }
    const view: WatchedApp[] = [];
    for (const app of apps) {
      const key = `${app.metadata.namespace}/${app.metadata.name}`;
      const status = app.status ?? {};
      const failure = (status.conditions ?? []).find((c) => (c.type === 'AivenFailure' || c.type === 'LocalFailure') && c.status === 'True');
      const item: WatchedApp = {
        key,
        state: status.synchronizationState,
        generation: app.metadata.generation ?? 0,
        syncedGeneration: status.synchronizedGeneration,
        error: failure ? failureSummary(failure) : undefined,
      };
      view.push(item);
      const line = `${item.state ?? 'Pending'} gen ${item.generation}${item.error ? ` (${item.error})` : ''}`;
      if (this.apps.get(key) === line) continue;
      this.apps.set(key, line);
      const mark = item.state === 'RolloutComplete' ? 'ok ' : item.state === 'RolloutFailed' ? 'ERR' : '...';
      this.print(`${mark} AivenApplication ${key}: ${item.state ?? 'Pending'}, generation ${item.generation}${item.error ? ` - ${item.error}` : ''}`);
    }
    return view;
  }
}

export function converged(view: WatchedApp[], keys: string[]): boolean {
  return keys.every((key) => {
    const app = view.find((a) => a.key === key);
    return app?.state === 'RolloutComplete' && app.syncedGeneration === app.generation;
  });
}

/** A kubeconfig file for the local apiserver (admin token), as kubectl reads it. */
export function kubeconfigYaml(kc: k8s.KubeConfig): string {
  return k8s.dumpYaml(JSON.parse(kc.exportConfig()));
}
