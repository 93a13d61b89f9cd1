// Watches every Secret, metadata only, and starts the Secret finalizer workflow
// for every one that carries our finalizer and is being deleted, label or not
// (a Secret whose `type` label was removed must still be finalized; a label
// selector cannot select by finalizer, so the filter is in memory): on the
// initial list too, so Secrets already terminating when the controller starts
// are not forgotten (the reference waited for a resync). Each later change of
// such a Secret is signalled to its workflow, which re-reads it (e.g.
// annotations fixed by an operator). No Secret data is ever transferred or
// held: the list and the watch ask for PartialObjectMetadata, and only the
// identity, finalizers, deletion mark and app label are stored (no
// annotations, so not kubectl's last-applied copy of the data either). A
// deleted Secret is reported
// to `onDeleted` (the application controller rewrites it if a spec names it).
import * as k8s from '@kubernetes/client-node';
import { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { secretChangedSignal, secretFinalizerWorkflow, secretFinalizerWorkflowId } from '../../workflows/secret-finalizer';
import { AppNameKey, AppNamespaceKey, TeamKey } from '../../workflows/search-attributes';
import { FINALIZER, LABEL_APP } from '../handlers/secret-meta';
import { metadataListOptions } from '../kube/cache/cache-watch';
import { ListPage } from '../kube/cache/informer';
import { slim } from '../kube/cache/trim';
import { KubeClients } from '../kube/clients';
import { PAGE_SIZE } from '../kube/secret-lifecycle';
import { Logger } from '../log';
import { Watch } from './watch';
import { WorkQueue } from './work-queue';

/** Starts (or signals) the finalizer workflow of one Secret. */
export class FinalizerStarter {
  constructor(private readonly client: Client, private readonly taskQueue: string) {}

  async finalize(secret: { namespace: string; name: string; uid: string; app?: string }): Promise<void> {
    const { namespace, name, uid } = secret;
    await this.client.workflow.signalWithStart(secretFinalizerWorkflow, {
      workflowId: secretFinalizerWorkflowId(namespace, name, uid),
      taskQueue: this.taskQueue,
      args: [{ namespace, name, uid }],
      signal: secretChangedSignal,
      signalArgs: [],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: AppNamespaceKey, value: namespace },
        { key: TeamKey, value: namespace },
        ...(secret.app ? [{ key: AppNameKey, value: secret.app }] : []),
      ]),
    });
  }
}

export interface SecretControllerOptions {
  kube: KubeClients;
  starter: Pick<FinalizerStarter, 'finalize'>;
  log: Logger;
  /** Watch one namespace only; all namespaces when absent. */
  namespace?: string;
  concurrency?: number;
  restartDelayMs?: number;
  /** Called for every Secret that is gone (e.g. AppController.secretDeleted). */
  onDeleted?: (namespace: string, name: string) => void;
}

export class SecretController {
  private readonly queue: WorkQueue;
  private readonly pending = new Map<string, { namespace: string; name: string; uid: string; app?: string }>();
  private watch?: Watch<k8s.V1Secret>;

  constructor(private readonly opts: SecretControllerOptions) {
    this.queue = new WorkQueue({
      concurrency: opts.concurrency ?? 15,
      process: (key) => this.signal(key),
      onError: (key, err, attempt) => opts.log.warn({ secret: key, attempt, err: err instanceof Error ? err.message : String(err) }, 'starting the Secret finalizer workflow failed; will retry'),
    });
  }

  async start(): Promise<void> {
    const { kube, namespace } = this.opts;
    // Lists and watch fetch metadata only: the controller never needs credentials in memory.
    const listPage = (token: string | undefined) =>
      (namespace
        ? kube.core.listNamespacedSecret({ namespace, limit: PAGE_SIZE, _continue: token }, metadataListOptions)
        : kube.core.listSecretForAllNamespaces({ limit: PAGE_SIZE, _continue: token }, metadataListOptions)) as Promise<ListPage<k8s.V1Secret>>;
    this.watch = new Watch<k8s.V1Secret>({
      kc: kube.kc,
      path: namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets',
      listPage,
      metadataOnly: true,
      transform: (secret) => {
        // Of every Secret in scope, only what the finalizer start needs is held.
        const meta = slim(secret).metadata ?? {};
        const app = meta.labels?.[LABEL_APP];
        delete meta.annotations;
        meta.labels = app === undefined ? undefined : { [LABEL_APP]: app };
        return { apiVersion: secret.apiVersion, kind: secret.kind, metadata: meta };
      },
      what: 'Secret',
      log: this.opts.log,
      restartDelayMs: this.opts.restartDelayMs,
      onChange: (s) => this.observe(s),
      onDelete: (s) => {
        if (s.metadata?.namespace && s.metadata.name) this.opts.onDeleted?.(s.metadata.namespace, s.metadata.name);
      },
    });
    await this.watch.start();
  }

  isSynced(): boolean {
    return this.watch?.isSynced() ?? false;
  }

  /** The Secrets as the controller holds them: metadata only. */
  held(): readonly k8s.V1Secret[] {
    return this.watch?.list() ?? [];
  }

  /** Resolves when every start so far has been delivered. */
  drained(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.queue.stop();
    await this.watch?.stop();
  }

  private observe(secret: k8s.V1Secret): void {
    const meta = secret.metadata;
    if (!meta?.deletionTimestamp || !(meta.finalizers ?? []).includes(FINALIZER)) return;
    if (!meta.namespace || !meta.name || !meta.uid) return;
    const key = `${meta.namespace}/${meta.name}/${meta.uid}`;
    this.pending.set(key, { namespace: meta.namespace, name: meta.name, uid: meta.uid, app: meta.labels?.[LABEL_APP] });
    this.queue.add(key, 'terminating');
  }

  private async signal(key: string): Promise<void> {
    const secret = this.pending.get(key);
    if (!secret) return;
    await this.opts.starter.finalize(secret);
    // Only forget it if no newer event replaced the entry meanwhile.
    if (this.pending.get(key) === secret) this.pending.delete(key);
    this.opts.log.debug({ team: secret.namespace, secret_name: secret.name }, 'signalled the Secret finalizer workflow');
  }
}
