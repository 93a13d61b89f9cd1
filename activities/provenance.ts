// Provenance, enforced where users are deleted: before an ACL entry or a user
// goes, the activity re-derives from Kubernetes whether the user belongs to the
// Secret or application being cleaned up — whatever the workflow's input says,
// so the finalizer, compensation, a workflow started by hand and any future
// caller meet the same rule. Proof is Aivenator's signature on the Secret, or
// (unsigned, e.g. Go-written Secrets) the naming rules for the namespace and
// application plus a service the namespace owns; the project must be allowed.
// A proven user that another live Secret of the same namespace names is kept.
import * as k8s from '@kubernetes/client-node';
import { FINALIZER, LABEL_APP, aivenatorSecretSelector } from '../src/handlers/secret-meta';
import { secretServiceUsers } from '../src/janitor/user-refs';
import { serviceUserKey } from '../src/janitor/user-key';
import { isKubeError } from '../src/kube/clients';
import { listSecretMetadata } from '../src/kube/secret-lifecycle';
import { getAivenApp } from '../src/kube/aivenapps';
import type { EventRegarding, ServiceUserRef } from '../src/model/types';
import { InstancePlural, NamingVerdict, namingProof, openSearchUserNamespaces, rivalNamespaces } from '../src/provenance/naming-proof';
import { SIGNATURE_ANNOTATION, hasValidSignature } from '../src/provenance/signature';
import { signingKey } from '../src/provenance/key';
import { ActivityDeps } from './deps';
import { isManagedSecret } from './secret-writer';

export type RefusalReason = 'no-owner' | 'secret-not-terminating' | 'not-in-secret' | 'project-not-allowed' | 'name-mismatch' | 'service-not-owned';

export type DeletionVerdict =
  | { kind: 'proven'; how: 'signature' | 'naming'; namespace: string }
  | { kind: 'kept'; by: string }
  | { kind: 'refused'; reason: RefusalReason; detail: string; fromSecret: boolean };

const refuse = (reason: RefusalReason, detail: string, fromSecret = false): DeletionVerdict => ({ kind: 'refused', reason, detail, fromSecret });

/** May `user` be deleted on behalf of `regarding` (the Secret being finalized, or the application that created it)? */
export async function authorizeUserDeletion(deps: ActivityDeps, user: ServiceUserRef, regarding: EventRegarding | undefined): Promise<DeletionVerdict> {
  if (regarding?.kind === 'Secret' && regarding.apiVersion === 'v1') return authorizeForSecret(deps, user, regarding);
  if (regarding?.kind === 'AivenApplication') {
    if (!projectAllowed(deps, user)) return refuse('project-not-allowed', `project ${user.project} is not one Aivenator manages ${user.handler} users in`);
    const app = await getAivenApp(deps.kube, regarding.namespace, regarding.name);
    // Another application of the same name (or none): its generation says nothing about the old one's users.
    const generation = app && (!regarding.uid || app.metadata.uid === regarding.uid) ? app.metadata.generation ?? 0 : undefined;
    const verdict = namingProof(user, { namespace: regarding.namespace, app: regarding.name, generation });
    const refused = await checkInstance(deps, verdict);
    if (refused) return refused;
    return keptOrProven(deps, user, regarding.namespace, undefined, 'naming');
  }
  return refuse('no-owner', 'no Secret or application is named as the owner of this user');
}

/**
 * Removing an OpenSearch ACL entry when only the user is known (the release
 * workflow passes no owner): the namespace the user name spells must own the
 * service, and no live Secret there may name the user.
 */
export async function authorizeAclRemoval(deps: ActivityDeps, user: ServiceUserRef): Promise<DeletionVerdict> {
  if (user.project !== deps.mainProject) return refuse('project-not-allowed', `project ${user.project} is not the main project`);
  const service = user.service ?? '';
  for (const namespace of openSearchUserNamespaces(user.username)) {
    const rivals = service.startsWith(`opensearch-${namespace}-`) ? rivalNamespaces('opensearch-', service, namespace) : [];
    const verdict: NamingVerdict = { proven: true, instance: { plural: 'opensearches', namespace, name: service, rivals } };
    if (await checkInstance(deps, verdict)) continue;
    return keptOrProven(deps, user, namespace, undefined, 'naming');
  }
  return refuse('name-mismatch', `OpenSearch user ${user.username} on ${service} is not proven to belong to any namespace`);
}

async function authorizeForSecret(deps: ActivityDeps, user: ServiceUserRef, regarding: EventRegarding): Promise<DeletionVerdict> {
  const { namespace, name } = regarding;
  const secret = await readSecretMetadata(deps, namespace, name);
  const meta = secret?.metadata;
  if (!secret || !meta || !regarding.uid || meta.uid !== regarding.uid || !meta.deletionTimestamp || !(meta.finalizers ?? []).includes(FINALIZER) || !isManagedSecret(secret)) {
    return refuse('secret-not-terminating', `Secret ${name} is not a managed Secret being deleted with Aivenator's finalizer`);
  }
  const key = serviceUserKey(user);
  if (!secretServiceUsers(meta.annotations).users.some((u) => serviceUserKey(u) === key)) {
    // The user came from the workflow's input, not from this Secret: not named back in the event.
    return refuse('not-in-secret', `the annotations of Secret ${name} do not name this ${user.handler} user`);
  }
  if (!projectAllowed(deps, user)) return refuse('project-not-allowed', `project ${user.project} is not one Aivenator manages ${user.handler} users in`, true);
  const claim = { namespace, secretName: name, kind: user.handler, service: user.handler === 'kafka' ? '' : user.service ?? '', project: user.project, username: user.username };
  if (hasValidSignature(signingKey(deps), claim, meta.annotations?.[SIGNATURE_ANNOTATION])) {
    return keptOrProven(deps, user, namespace, meta.uid, 'signature');
  }
  const appName = meta.labels?.[LABEL_APP];
  if (!appName) return refuse('name-mismatch', `Secret ${name} carries no valid signature and no app label to check the user's name against`, true);
  const app = await getAivenApp(deps.kube, namespace, appName);
  const verdict = namingProof(user, { namespace, app: appName, generation: app ? app.metadata.generation ?? 0 : undefined });
  const refused = await checkInstance(deps, verdict, true);
  if (refused) return refused;
  return keptOrProven(deps, user, namespace, meta.uid, 'naming');
}

/** Kafka pools from AIVENATOR_PROJECTS; OpenSearch and Valkey live in the main project. */
function projectAllowed(deps: ActivityDeps, user: ServiceUserRef): boolean {
  return user.handler === 'kafka' ? deps.projects.includes(user.project) : user.project === deps.mainProject;
}

/** The refusal when the naming proof failed or its service is not the namespace's alone; undefined when proven. */
async function checkInstance(deps: ActivityDeps, verdict: NamingVerdict, fromSecret = false): Promise<DeletionVerdict | undefined> {
  if (!verdict.proven) return refuse('name-mismatch', verdict.detail, fromSecret);
  const instance = verdict.instance;
  if (!instance) return undefined;
  const kind = instance.plural === 'valkeys' ? 'Valkey' : 'OpenSearch';
  if (!(await instanceExists(deps, instance.plural, instance.namespace, instance.name))) {
    return refuse('service-not-owned', `service ${instance.name} is not an aiven.io ${kind} object of this namespace`, fromSecret);
  }
  for (const rival of instance.rivals) {
    if (await instanceExists(deps, instance.plural, rival, instance.name)) return refuse('service-not-owned', `service ${instance.name} cannot be told apart from a service of another namespace`, fromSecret);
  }
  return undefined;
}

/** Proven; but kept while another live managed Secret of the same namespace names the user. */
async function keptOrProven(deps: ActivityDeps, user: ServiceUserRef, namespace: string, excludeUid: string | undefined, how: 'signature' | 'naming'): Promise<DeletionVerdict> {
  const by = await sameNamespaceReference(deps, user, namespace, excludeUid);
  return by ? { kind: 'kept', by } : { kind: 'proven', how, namespace };
}

/** The name of another live managed Secret in `namespace` that names the user. Only the same namespace counts as evidence. */
export async function sameNamespaceReference(deps: ActivityDeps, user: ServiceUserRef, namespace: string, excludeUid?: string): Promise<string | undefined> {
  const key = serviceUserKey(user);
  for (const s of await listSecretMetadata(deps.kube, aivenatorSecretSelector(), namespace)) {
    const meta = s.metadata ?? {};
    if (meta.deletionTimestamp || (excludeUid && meta.uid === excludeUid)) continue;
    if (secretServiceUsers(meta.annotations).users.some((u) => serviceUserKey(u) === key)) return meta.name;
  }
  return undefined;
}

/** Whether the namespace holds an aiven.io OpenSearch/Valkey object of that name (any state). */
export async function instanceExists(deps: ActivityDeps, plural: InstancePlural, namespace: string, name: string): Promise<boolean> {
  try {
    await deps.kube.custom.getNamespacedCustomObject({ group: 'aiven.io', version: 'v1alpha1', plural, namespace, name });
    return true;
  } catch (err) {
    if (isKubeError(err, 404)) return false;
    throw err;
  }
}

/** Accept header for one object's metadata (PartialObjectMetadata): no Secret data is read. */
const metadataOnlyObject = k8s.setHeaderOptions('Accept', 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');

/** The Secret's metadata only (labels, annotations, finalizers, uid); null when it is gone. */
export async function readSecretMetadata(deps: ActivityDeps, namespace: string, name: string): Promise<k8s.V1Secret | null> {
  try {
    return await deps.kube.core.readNamespacedSecret({ namespace, name }, metadataOnlyObject);
  } catch (err) {
    if (isKubeError(err, 404)) return null;
    throw err;
  }
}
