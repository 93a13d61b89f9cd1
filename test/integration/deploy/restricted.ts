// Aivenator under the shipped RBAC: the chart's ServiceAccounts, roles and
// bindings (helm template; ClusterRoles by default, Roles in one namespace with
// watchNamespace) applied to the test world as they render, and the worker and
// the controller each run with a token of their own ServiceAccount
// (TokenRequest), through the same startWorker/startController the CLI uses.
import * as k8s from '@kubernetes/client-node';
import { installTestRuntime } from '../../env/runtime';
import { loadConfig } from '../../../src/config';
import { kubeConfigFor } from '../../../src/devworld/kube-apiserver';
import { createLogger } from '../../../src/log';
import { AivenatorMetrics } from '../../../src/metrics/prometheus';
import { OpsServer, startOpsServer } from '../../../src/metrics/server';
import { RunningService, startController, startWorker } from '../../../src/runtime/services';
import { adminKubeConfig, world } from '../../env/world';
import { render } from '../chart/helm';

/** The release's namespace, where the ServiceAccounts live. */
export const RELEASE_NAMESPACE = 'aivenator';
const RBAC_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

export interface RbacOptions {
  /** Helm release name (default "aivenator": objects named aivenator-controller, aivenator-worker). */
  release?: string;
  /** The chart's namespace-scoped mode: Roles in this namespace instead of ClusterRoles. */
  watchNamespace?: string;
}

/** The ServiceAccounts the chart's components run as. */
export interface ChartAccounts {
  controller: string;
  worker: string;
}

/** The chart's RBAC objects (ServiceAccounts, roles and bindings) as helm renders them. */
export function rbacManifests(opts: RbacOptions = {}): k8s.KubernetesObject[] {
  return render({ release: opts.release, namespace: RELEASE_NAMESPACE, values: opts.watchNamespace ? { watchNamespace: opts.watchNamespace } : {} }).filter((o) => RBAC_KINDS.includes(o.kind!));
}

/** kubectl apply of the rendered RBAC, as it is (create, or replace what exists), in the release namespace. */
export async function applyRbac(opts: RbacOptions = {}): Promise<ChartAccounts> {
  const client = k8s.KubernetesObjectApi.makeApiClient(adminKubeConfig());
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: RELEASE_NAMESPACE } };
  const objects = rbacManifests(opts);
  for (const obj of [namespace, ...objects]) {
    try {
      await client.create(obj);
    } catch (err) {
      if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
      const existing = await client.read(obj as k8s.KubernetesObject & { metadata: { name: string } });
      await client.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: existing.metadata?.resourceVersion } });
    }
  }
  const account = (component: string) => objects.find((o) => o.kind === 'ServiceAccount' && o.metadata?.labels?.['app.kubernetes.io/component'] === component)!.metadata!.name!;
  return { controller: account('controller'), worker: account('worker') };
}

/** A token of a ServiceAccount the chart defines (the TokenRequest API, as the kubelet gets one). */
export async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  const core = adminKubeConfig().makeApiClient(k8s.CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  return request.status!.token;
}

export interface RestrictedAivenator {
  taskQueue: string;
  workerKc: k8s.KubeConfig;
  controllerKc: k8s.KubeConfig;
  metrics: AivenatorMetrics;
  ops: OpsServer;
  /** Every log line either component wrote (JSON). */
  logs: string[];
  stop(): Promise<void>;
}

export async function startRestrictedAivenator(namespace: string, accounts: ChartAccounts = { controller: 'aivenator-controller', worker: 'aivenator-worker' }): Promise<RestrictedAivenator> {
  const w = world();
  installTestRuntime();
  const [controllerToken, workerToken] = await Promise.all([serviceAccountToken(RELEASE_NAMESPACE, accounts.controller), serviceAccountToken(RELEASE_NAMESPACE, accounts.worker)]);
  const taskQueue = `aivenator-rbac-${namespace}`;
  const config = loadConfig({
    AIVENATOR_AIVEN_TOKEN: w.aiven.token,
    AIVENATOR_AIVEN_URL: w.aiven.url,
    AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true',
    AIVENATOR_PROJECTS: w.aiven.projects.join(' '),
    AIVENATOR_MAIN_PROJECT: w.aiven.mainProject,
    AIVENATOR_TASK_QUEUE: taskQueue,
    AIVENATOR_METRICS_ADDRESS: '127.0.0.1:0',
    TEMPORAL_ADDRESS: w.temporal.address,
    TEMPORAL_NAMESPACE: w.temporal.namespace,
  });
  const logs: string[] = [];
  const log = createLogger({ level: 'info', component: 'rbac-test', destination: { write: (line: string) => void logs.push(line) } });
  const metrics = new AivenatorMetrics({ defaultMetrics: false });
  const ops = await startOpsServer({ address: config.metricsAddress, registry: metrics.registry });
  const workerKc = metrics.instrumentKubeConfig(kubeConfigFor(w.kube.server, workerToken));
  const controllerKc = kubeConfigFor(w.kube.server, controllerToken);
  const base = { config, log, temporalAddress: w.temporal.address, metrics, onAivenResponse: metrics.onAivenResponse, workflowBundlePath: w.workflowBundlePath };
  const services: RunningService[] = [];
  try {
    const worker = await startWorker({ ...base, kc: workerKc }, { namespace });
    services.push(worker);
    ops.setReadiness('worker', () => worker.worker.getState() === 'RUNNING');
    const controller = await startController({ ...base, kc: controllerKc }, { namespace });
    services.push(controller);
    ops.setReadiness('controller', () => controller.controller.isSynced());
  } catch (err) {
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    await ops.close();
    throw err;
  }
  return {
    taskQueue,
    workerKc,
    controllerKc,
    metrics,
    ops,
    logs,
    async stop() {
      for (const s of services.reverse()) await s.stop().catch(() => undefined);
      await ops.close();
    },
  };
}

/** Log lines that say the API server refused a call. */
export function forbidden(logs: string[]): string[] {
  return logs.filter((line) => /\b403\b|forbidden/i.test(line));
}
