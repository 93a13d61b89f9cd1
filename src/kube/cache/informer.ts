// An informer that keeps itself alive and holds only what it is told to:
// client-node's ListWatch lists (here page by page), watches from the list's
// resourceVersion and relists on 410 Gone, but stops on any other error, so it
// is restarted here after a short delay (resuming from its last
// resourceVersion, without a relist). Objects pass through `transform` both
// from the list and from the watch before they are stored or handed on.
import * as k8s from '@kubernetes/client-node';
import { Logger } from '../../log';
import { forEachItem } from '../secret-lifecycle';
import { CacheWatch, Transform } from './cache-watch';

export type ListPage<T> = { items: T[] | null; metadata?: { _continue?: string; continue?: string; resourceVersion?: string } };

export interface InformerOptions<T extends k8s.KubernetesObject> {
  kc: k8s.KubeConfig;
  /** The API path to watch, e.g. /api/v1/secrets. */
  path: string;
  /** One page of the list; `token` is the continue token. Must send the same Accept as the watch. */
  listPage: (token: string | undefined) => Promise<ListPage<T>>;
  labelSelector?: string;
  /** Ask for PartialObjectMetadata on the watch (the list must ask for it too). */
  metadataOnly?: boolean;
  /** What to keep of each object; everything else is dropped before it is stored. */
  transform?: Transform<T>;
  /** What is watched, for the log. */
  what: string;
  log: Logger;
  restartDelayMs?: number;
  onChange?: (object: T) => void;
  onDelete?: (object: T) => void;
}

export class InformerCache<T extends k8s.KubernetesObject> {
  private readonly informer: k8s.ListWatch<T>;
  private readonly watch: CacheWatch<T>;
  private restartTimer?: NodeJS.Timeout;
  private stopped = false;
  private synced = false;
  private failed = false;
  private syncWaiters: (() => void)[] = [];

  constructor(opts: InformerOptions<T>) {
    const transform = opts.transform ?? ((o: T) => o);
    const list = async (): Promise<k8s.KubernetesListObject<T>> => {
      const items: T[] = [];
      let resourceVersion: string | undefined;
      // All pages of one list come from the same snapshot; its resourceVersion is where the watch resumes.
      await forEachItem<T>(async (token) => {
        const page = await opts.listPage(token);
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        return page;
      }, (item) => items.push(transform(item)));
      return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
    };
    this.watch = new CacheWatch<T>(opts.kc, opts.metadataOnly ?? false, transform);
    this.informer = new k8s.ListWatch<T>(opts.path, this.watch, list, false, opts.labelSelector);
    if (opts.onChange) {
      this.informer.on('add', opts.onChange);
      this.informer.on('update', opts.onChange);
    }
    if (opts.onDelete) this.informer.on('delete', opts.onDelete);
    this.informer.on('error', (err) => {
      this.synced = false;
      this.failed = true;
      if (this.stopped) return;
      opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${opts.what} watch failed; restarting it`);
      clearTimeout(this.restartTimer);
      this.restartTimer = setTimeout(() => void this.run(), opts.restartDelayMs ?? 2000);
    });
  }

  /** Lists and starts watching; resolves once the first attempt is over (synced or not: it keeps retrying). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.run();
  }

  private async run(): Promise<void> {
    this.failed = false;
    await this.informer.start().catch(() => undefined);
    if (this.failed || this.stopped) return;
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  /** True once the list is in and the watch connected (false again while a failed watch restarts). */
  isSynced(): boolean {
    return this.synced;
  }

  /** Resolves once synced; false if `timeoutMs` passed first. */
  waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The stored objects of one namespace, or of all. */
  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  /**
   * Test hook: while on, watch events are held back (the cache stays synced
   * but lags behind the apiserver); off delivers them in order.
   */
  lag(on: boolean): void {
    this.watch.hold(on);
  }

  /** Stops watching; what is stored stays (and goes stale). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.synced = false;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }
}
