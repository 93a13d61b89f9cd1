// The controller's watches: a self-restarting informer (src/kube/cache/informer.ts)
// that may ask for metadata only and keeps only what `transform` returns.
import * as k8s from '@kubernetes/client-node';
import { InformerCache, InformerOptions } from '../kube/cache/informer';

export type WatchOptions<T extends k8s.KubernetesObject> = InformerOptions<T>;

export class Watch<T extends k8s.KubernetesObject> {
  private readonly cache: InformerCache<T>;

  constructor(opts: WatchOptions<T>) {
    this.cache = new InformerCache(opts);
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  /** True once the watch has listed and is connected. */
  isSynced(): boolean {
    return this.cache.isSynced();
  }

  /** What the watch holds now (after its transform). */
  list(namespace?: string): readonly T[] {
    return this.cache.list(namespace);
  }

  stop(): Promise<void> {
    return this.cache.stop();
  }
}
