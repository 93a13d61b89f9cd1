// Watches AivenApplications in all namespaces and hands every event that
// passes the reference's filter to the application's actor workflow.
import * as k8s from '@kubernetes/client-node';
import { AivenAppLike, aivenAppSecretNames } from '../janitor/in-use';
import { AIVENAPP, AivenApplication } from '../kube/aivenapp-types';
import { ListPage } from '../kube/cache/informer';
import { PAGE_SIZE } from '../kube/secret-lifecycle';
import { KubeClients } from '../kube/clients';
import { Logger } from '../log';
import { AppFingerprint, fingerprint, updateReason } from './filter';
import { AppSignaler } from './signaler';
import { Watch } from './watch';
import { WorkQueue } from './work-queue';

export interface ControllerOptions {
  kube: KubeClients;
  signaler: AppSignaler;
  log: Logger;
  /** Signals sent at once. */
  concurrency?: number;
  /** Delay before restarting a failed watch. */
  restartDelayMs?: number;
  /** Watch one namespace only; all namespaces when absent. */
  namespace?: string;
}

const DELETED = 'Deleted';
const SECRET_DELETED = 'SecretDeleted';

/** An application as the controller keeps it: metadata, the status fields it reads and the Secret names. */
type SlimApp = AivenApplication & { secretNames?: string[] };

function slimApp(obj: k8s.KubernetesObject): k8s.KubernetesObject {
  const app = obj as unknown as AivenApplication;
  const slim = {
    apiVersion: app.apiVersion,
    kind: app.kind,
    metadata: app.metadata,
    // The hash for the event filter; state and generation tell a converged application at start-up (showsConverged).
    status: app.status
      ? { synchronizationHash: app.status.synchronizationHash, synchronizationState: app.status.synchronizationState, synchronizedGeneration: app.status.synchronizedGeneration }
      : undefined,
    secretNames: aivenAppSecretNames(app as AivenAppLike),
  };
  const meta = { ...slim.metadata } as k8s.V1ObjectMeta;
  delete meta.managedFields;
  return { ...slim, metadata: meta } as unknown as k8s.KubernetesObject;
}

export class AppController {
  private readonly seen = new Map<string, AppFingerprint>();
  /** The Secret names each application's spec gives: namespace → app name → names. */
  private readonly secretNames = new Map<string, Map<string, string[]>>();
  /** First seen already converged (e.g. after a restart): their actor is only started if it is not running. */
  private readonly resyncOnly = new Set<string>();
  private readonly queue: WorkQueue;
  private watch?: Watch<k8s.KubernetesObject>;

  constructor(private readonly opts: ControllerOptions) {
    this.queue = new WorkQueue({
      concurrency: opts.concurrency ?? 10,
      process: (key, reason) => this.signal(key, reason),
      onError: (key, err, attempt) => opts.log.warn({ aiven_application: key, attempt, err: errMessage(err) }, 'signalling the application workflow failed; will retry'),
    });
  }

  async start(): Promise<void> {
    const { kube, namespace } = this.opts;
    const scope = namespace ? `/namespaces/${namespace}` : '';
    // Custom objects arrive as plain JSON, so they are typed here rather than by client-node.
    const listPage = (token: string | undefined) =>
      (namespace
        ? kube.custom.listNamespacedCustomObject({ ...AIVENAPP, namespace, limit: PAGE_SIZE, _continue: token })
        : kube.custom.listClusterCustomObject({ ...AIVENAPP, limit: PAGE_SIZE, _continue: token })) as Promise<ListPage<k8s.KubernetesObject>>;
    this.watch = new Watch<k8s.KubernetesObject>({
      kc: kube.kc,
      path: `/apis/${AIVENAPP.group}/${AIVENAPP.version}${scope}/${AIVENAPP.plural}`,
      listPage,
      // Only what the event filter and the Secret index read is kept, not whole applications.
      transform: slimApp,
      what: 'AivenApplication',
      log: this.opts.log,
      restartDelayMs: this.opts.restartDelayMs,
      onChange: (obj) => this.observe(obj as unknown as AivenApplication),
      onDelete: (obj) => {
        const key = keyOf(obj as unknown as AivenApplication);
        this.seen.delete(key);
        const { namespace: ns, name } = (obj as unknown as AivenApplication).metadata;
        this.secretNames.get(ns ?? '')?.delete(name ?? '');
        this.queue.add(key, DELETED);
      },
    });
    await this.watch.start();
  }

  /** True once the watch has listed and is connected. */
  isSynced(): boolean {
    return this.watch?.isSynced() ?? false;
  }

  /** Resolves when every signal so far has been delivered. */
  drained(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.queue.stop();
    await this.watch?.stop();
  }

  /**
   * A Secret is gone: every application of its namespace whose spec still
   * names it is signalled at once, so the Secret is rewritten now rather
   * than at the next drift check.
   */
  secretDeleted(namespace: string, name: string): void {
    for (const [app, names] of this.secretNames.get(namespace) ?? []) {
      if (names.includes(name)) this.queue.add(`${namespace}/${app}`, SECRET_DELETED);
    }
  }

  /** Takes one application as the watch delivers it (public for tests). */
  observe(app: AivenApplication): void {
    const key = keyOf(app);
    const inNamespace = this.secretNames.get(app.metadata.namespace ?? '') ?? new Map<string, string[]>();
    this.secretNames.set(app.metadata.namespace ?? '', inNamespace.set(app.metadata.name ?? '', (app as SlimApp).secretNames ?? []));
    const next = fingerprint(app);
    const reason = updateReason(this.seen.get(key), next);
    this.seen.set(key, next);
    if (!reason) return;
    if (reason === 'Created' && showsConverged(app)) this.resyncOnly.add(key);
    else this.resyncOnly.delete(key);
    this.queue.add(key, reason);
  }

  private async signal(key: string, reason: string): Promise<void> {
    const [namespace, name] = key.split('/');
    if (reason === DELETED) await this.opts.signaler.deleted(namespace, name);
    else if (this.resyncOnly.has(key)) await this.opts.signaler.startIfNotRunning(namespace, name);
    else await this.opts.signaler.changed(namespace, name, reason);
    this.resyncOnly.delete(key);
    this.opts.log.debug({ aiven_application: name, team: namespace, reason }, 'signalled application workflow');
  }
}

/** Status written for the current generation with a hash: nothing to do unless the actor is gone. */
function showsConverged(app: AivenApplication): boolean {
  const status = app.status;
  return !app.metadata.deletionTimestamp && status?.synchronizationState === 'RolloutComplete' && status.synchronizedGeneration === app.metadata.generation && Boolean(status.synchronizationHash);
}

function keyOf(app: AivenApplication): string {
  return `${app.metadata.namespace}/${app.metadata.name}`;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
