// A watch that keeps itself alive: client-node's informer lists, watches from
// the list's resourceVersion and relists on 410 Gone, but stops on any other
// error, so it is restarted here after a short delay.
import * as k8s from '@kubernetes/client-node';
import { Logger } from '../log';

export interface WatchOptions<T extends k8s.KubernetesObject> {
  kc: k8s.KubeConfig;
  /** The API path to watch, e.g. /api/v1/secrets. */
  path: string;
  list: () => Promise<k8s.KubernetesListObject<T>>;
  labelSelector?: string;
  /** What is watched, for the log. */
  what: string;
  log: Logger;
  restartDelayMs?: number;
  onChange: (object: T) => void;
  onDelete?: (object: T) => void;
}

export class Watch<T extends k8s.KubernetesObject> {
  private informer?: k8s.Informer<T>;
  private restartTimer?: NodeJS.Timeout;
  private stopped = false;
  private synced = false;

  constructor(private readonly opts: WatchOptions<T>) {}

  async start(): Promise<void> {
    const { opts } = this;
    const informer = k8s.makeInformer<T>(opts.kc, opts.path, opts.list, opts.labelSelector);
    informer.on('add', opts.onChange);
    informer.on('update', opts.onChange);
    if (opts.onDelete) informer.on('delete', opts.onDelete);
    informer.on('connect', () => {
      this.synced = true;
    });
    informer.on('error', (err) => {
      this.synced = false;
      if (this.stopped) return;
      opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${opts.what} watch failed; restarting it`);
      this.restartTimer = setTimeout(() => void informer.start().catch(() => undefined), opts.restartDelayMs ?? 2000);
    });
    this.informer = informer;
    await informer.start();
  }

  /** True once the watch has listed and is connected. */
  isSynced(): boolean {
    return this.synced;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer?.stop();
  }
}
