// Secret operations of the lifecycle work (finalizer, janitor): remove only our
// finalizer with a guarded JSON patch, delete with preconditions, and list the
// managed Secrets.
import * as k8s from '@kubernetes/client-node';
import { metadataListOptions } from './cache/cache-watch';
import { KubeClients, isKubeError, jsonPatch } from './clients';
import { readSecret } from './secrets';

export type FinalizerRemoval = 'removed' | 'absent' | 'gone';

/**
 * Removes `finalizer` from the Secret, leaving every other finalizer alone. The
 * JSON patch tests the uid and the array slot before removing it, so a concurrent
 * change of the finalizers list makes the patch fail (409/422) instead of removing
 * someone else's entry; then the Secret is read again.
 * 'gone': the Secret (of this uid) no longer exists; 'absent': it has no such finalizer.
 */
export async function removeSecretFinalizer(kube: KubeClients, namespace: string, name: string, uid: string, finalizer: string): Promise<FinalizerRemoval> {
  for (let attempt = 0; ; attempt++) {
    const secret = await readSecret(kube, namespace, name);
    if (!secret || secret.metadata?.uid !== uid) return 'gone';
    const finalizers = secret.metadata?.finalizers ?? [];
    const index = finalizers.indexOf(finalizer);
    if (index < 0) return 'absent';
    try {
      await kube.core.patchNamespacedSecret(
        {
          namespace,
          name,
          body: [
            { op: 'test', path: '/metadata/uid', value: uid },
            { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
            { op: 'remove', path: `/metadata/finalizers/${index}` },
          ],
        },
        jsonPatch,
      );
      return 'removed';
    } catch (err) {
      if (isKubeError(err, 404)) return 'gone';
      // A failed test op: the list changed under us. Read it again (a few times).
      if ((isKubeError(err, 409) || isKubeError(err, 422)) && attempt < 5) continue;
      throw err;
    }
  }
}

export type GuardedDelete = 'deleted' | 'gone' | 'changed';

/**
 * Deletes the Secret only if it is still the object that was inspected (same uid
 * and resourceVersion): a Secret rewritten since the janitor listed it is left
 * for the next sweep.
 */
export async function deleteSecretIfUnchanged(kube: KubeClients, namespace: string, name: string, uid: string | undefined, resourceVersion: string | undefined): Promise<GuardedDelete> {
  try {
    await kube.core.deleteNamespacedSecret({
      namespace,
      name,
      body: { preconditions: { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) } },
    });
    return 'deleted';
  } catch (err) {
    if (isKubeError(err, 404)) return 'gone';
    if (isKubeError(err, 409)) return 'changed';
    throw err;
  }
}

/**
 * Secrets matching the label selector, in one namespace or all, as metadata only
 * (PartialObjectMetadataList): no credentials are transferred or held.
 */
export async function listSecretMetadata(kube: KubeClients, labelSelector: string, namespace?: string): Promise<k8s.V1Secret[]> {
  return listAllPages((_continue) =>
    namespace
      ? kube.core.listNamespacedSecret({ namespace, labelSelector, limit: PAGE_SIZE, _continue }, metadataOnly)
      : kube.core.listSecretForAllNamespaces({ labelSelector, limit: PAGE_SIZE, _continue }, metadataOnly),
  );
}

/** Accept header that makes a list call return PartialObjectMetadataList (one definition, beside the watch's). */
export const metadataOnly = metadataListOptions;

const PAGE_SIZE = 500;

interface Page<T> {
  items: T[] | null;
  /** Typed lists say `_continue` (client-node's model); custom objects are raw JSON and say `continue`. */
  metadata?: { _continue?: string; continue?: string };
}

/** Follows `continue` tokens; any failing page fails the whole list. */
export async function listAllPages<T>(list: (continueToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  await forEachItem(list, (item) => all.push(item));
  return all;
}

/** Visits every item page by page without keeping the pages. */
export async function forEachItem<T>(list: (continueToken: string | undefined) => Promise<Page<T>>, visit: (item: T) => void): Promise<void> {
  let token: string | undefined;
  do {
    const page = await list(token);
    // A PartialObjectMetadataList without items says `items: null`.
    for (const item of page.items ?? []) visit(item);
    token = page.metadata?._continue || page.metadata?.continue || undefined;
  } while (token);
}

export { PAGE_SIZE };
