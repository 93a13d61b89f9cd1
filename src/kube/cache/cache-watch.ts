// client-node 1.4's Watch (and so its informer) sends no Accept header of its
// own and has no option for one, so a metadata-only watch
// (`as=PartialObjectMetadata`, what client-go's metadata informer asks for) is
// made here: the Watch is given a view of the KubeConfig whose fetch options
// carry that Accept header. Every event's object is also passed through a
// transform before the informer stores it (like controller-runtime's
// SetTransform), so a cache holds only the fields it needs.
import * as k8s from '@kubernetes/client-node';

/** Accept header for a WATCH (or GET) that returns PartialObjectMetadata objects. */
export const METADATA_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
/** Accept header for a LIST that returns a PartialObjectMetadataList. */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
/** Per-call option for client-node's typed list calls: metadata only. */
export const metadataListOptions = k8s.setHeaderOptions('Accept', METADATA_LIST_ACCEPT);

/** A KubeConfig whose fetch options (used by Watch) carry `accept`; everything else is delegated. */
export function withAcceptHeader(kc: k8s.KubeConfig, accept: string): k8s.KubeConfig {
  const view = Object.create(kc) as k8s.KubeConfig;
  view.applyToFetchOptions = async (opts) => {
    const init = await kc.applyToFetchOptions(opts);
    (init.headers as unknown as Headers).set('Accept', accept);
    return init;
  };
  return view;
}

export type Transform<T> = (object: T) => T;

/** A Watch that asks for bookmarks, may ask for metadata only, and transforms each object before it is stored. */
export class CacheWatch<T extends k8s.KubernetesObject> extends k8s.Watch {
  /** Events held back while `holding` (a test's way to make a cache lag). */
  private held?: (() => void)[];

  constructor(kc: k8s.KubeConfig, metadataOnly: boolean, private readonly transform: Transform<T>) {
    super(metadataOnly ? withAcceptHeader(kc, METADATA_WATCH_ACCEPT) : kc);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    // Bookmarks keep the resourceVersion fresh, so a reconnect resumes instead of relisting.
    return super.watch(path, { ...queryParams, allowWatchBookmarks: true }, (phase, obj, raw) => {
      const keep = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
      const deliver = () => callback(phase, keep ? this.transform(obj as T) : obj, raw);
      if (this.held) this.held.push(deliver);
      else deliver();
    }, done);
  }

  /** Holds events back (true) or delivers the held ones in order and stops holding (false). */
  hold(on: boolean): void {
    if (on) {
      this.held ??= [];
      return;
    }
    const held = this.held ?? [];
    this.held = undefined;
    for (const deliver of held) deliver();
  }
}
