// Activities of the Secret finalizer and of the reconcile pass's compensation:
// find the users a Secret points at, find other live Secrets that still point
// at them, remove an OpenSearch ACL entry, delete a user (404 = done), remove
// our finalizer. Each is one idempotent step; the workflows decide the order
// and retry them. Only names cross the boundary, never credentials.
import { isNotFound } from '../src/aiven/errors';
import { kafkaServiceCandidates } from '../src/handlers/kafka';
import { openSearchServiceCandidates } from '../src/handlers/opensearch';
import { FINALIZER, LABEL_APP, aivenatorSecretSelector } from '../src/handlers/secret-meta';
import { valkeyServiceName } from '../src/handlers/valkey';
import { secretServiceUsers } from '../src/janitor/user-refs';
import { describeServiceUser, serviceUserKey } from '../src/janitor/user-key';
import { isKubeError } from '../src/kube/clients';
import { listSecretMetadata, removeSecretFinalizer } from '../src/kube/secret-lifecycle';
import { MAX_SERVICE_USER_NAME_LENGTH, kafkaServiceUserName, openSearchUserName, valkeyUserName } from '../src/naming/names';
import { ActivityDeps } from './deps';
import { emitEvent } from './events';
import { withFailures } from './failures';
import { DeletionVerdict, authorizeAclRemoval, authorizeUserDeletion, instanceExists, readSecretMetadata } from './provenance';
import { couldBelongTo } from '../src/provenance/naming-proof';
import type {
  DeleteUserInput,
  SecretCleanupPlan,
  SecretEventInput,
  SecretRef,
  ServiceUserRef,
  FailedSyncInput,
  UserReferencesInput,
} from '../src/model/types';

export function finalizerActivities(deps: ActivityDeps) {
  const secretTarget = (s: { namespace: string; name: string; uid?: string }) => ({ apiVersion: 'v1', kind: 'Secret', namespace: s.namespace, name: s.name, uid: s.uid });

  return {
    /** Reads the terminating Secret: which users its annotations name, what is malformed, and who else uses each user. */
    async planSecretCleanup(secret: SecretRef): Promise<SecretCleanupPlan> {
      return withFailures('planSecretCleanup', async () => {
        const empty = { secret, users: [], problems: [], referencedBy: {} };
        const current = await readSecretMetadata(deps, secret.namespace, secret.name);
        if (!current || current.metadata?.uid !== secret.uid) return { ...empty, status: 'gone' };
        if (!(current.metadata?.finalizers ?? []).includes(FINALIZER)) return { ...empty, status: 'finalizer-absent' };
        if (!current.metadata?.deletionTimestamp) return { ...empty, status: 'not-terminating' };
        const { users, problems } = secretServiceUsers(current.metadata.annotations);
        // Only Secrets of the same namespace count (and are named): nothing crosses namespaces.
        const referencedBy = users.length > 0 ? await findReferences(deps, users, secret, secret.namespace) : {};
        return { status: 'terminating', secret, app: current.metadata.labels?.[LABEL_APP], users, problems, referencedBy };
      });
    },

    async findServiceUserReferences(input: UserReferencesInput): Promise<Record<string, string>> {
      return withFailures('findServiceUserReferences', () => findReferences(deps, input.users, input.exclude));
    },

    /**
     * Drops every ACL entry of the user (OpenSearch); 'absent' when there was none or the service is gone.
     * Only for a user proven to belong to the owner (see activities/provenance.ts): otherwise 'refused'.
     */
    async removeOpenSearchAclEntry(input: ServiceUserRef | DeleteUserInput): Promise<'removed' | 'absent' | 'kept' | 'refused'> {
      return withFailures('updateOpenSearchAcl', async () => {
        const { user, regarding } = 'user' in input ? input : { user: input, regarding: undefined };
        const service = user.service;
        if (!service) return 'absent';
        const verdict = regarding ? await authorizeUserDeletion(deps, user, regarding) : await authorizeAclRemoval(deps, user);
        if (verdict.kind !== 'proven') {
          // Reported (event, metric) by the deletion that follows; logged here.
          deps.log.warn({ project: user.project, service, username: user.username, verdict: verdict.kind, reason: verdict.kind === 'refused' ? verdict.reason : undefined }, 'left OpenSearch ACL entry alone');
          return verdict.kind;
        }
        const result = await deps.openSearchAcl.apply({ project: user.project, service, username: user.username, op: 'revoke' });
        return result === 'changed' ? 'removed' : 'absent';
      });
    },

    /**
     * Deletes the user; a 404 (user, service or project gone) counts as done. Only a user proven
     * to belong to `regarding` (activities/provenance.ts); 'kept' when another live Secret of the
     * same namespace names it, 'refused' (with a Warning event, a metric and a log line) when unproven.
     */
    async deleteAivenServiceUser(input: DeleteUserInput): Promise<'deleted' | 'absent' | 'kept' | 'refused'> {
      return withFailures('deleteServiceUser', async () => {
        const { user } = input;
        const verdict = await authorizeUserDeletion(deps, user, input.regarding);
        if (verdict.kind === 'kept') {
          deps.log.info({ project: user.project, username: user.username, handler: user.handler, kept_for: verdict.by }, 'kept service user: another Secret of the namespace names it');
          return 'kept';
        }
        if (verdict.kind === 'refused') {
          await reportRefusal(deps, input, verdict);
          return 'refused';
        }
        const service = user.service ?? (await kafkaService(deps, user.project));
        if (!service) return 'absent';
        try {
          await deps.aiven.deleteServiceUser(user.project, service, user.username);
        } catch (err) {
          if (isNotFound(err)) return 'absent';
          throw err;
        }
        deps.metrics?.serviceUserDeleted(user.project, service);
        deps.log.info({ project: user.project, service, username: user.username, handler: user.handler, reason: input.reason, proof: verdict.how }, 'deleted service user');
        if (input.regarding) {
          await emitEvent(deps, input.regarding, {
            reason: 'ServiceUserDeleted',
            note: `deleted ${describeServiceUser({ ...user, service })}: ${input.reason}`,
            action: 'Delete',
          });
        }
        return 'deleted';
      });
    },

    async removeSecretFinalizer(secret: SecretRef): Promise<'removed' | 'absent' | 'gone'> {
      return withFailures('removeFinalizer', async () => {
        const result = await removeSecretFinalizer(deps.kube, secret.namespace, secret.name, secret.uid, FINALIZER);
        if (result === 'removed') deps.log.info({ team: secret.namespace, secret_name: secret.name }, 'removed finalizer');
        return result;
      });
    },

    async recordSecretEvent(input: SecretEventInput): Promise<void> {
      await emitEvent(deps, secretTarget(input.secret), { reason: input.reason, note: input.note, type: input.type ?? 'Normal', action: 'Finalize' });
    },

    /**
     * The user a sync activity would have created for this entry, if it exists in
     * Aiven. Names are deterministic (generation + application), so a pass that
     * failed after creating the user can find it again without the activity
     * having reported it.
     */
    async findFailedSyncUser(input: FailedSyncInput): Promise<ServiceUserRef | null> {
      return withFailures('findFailedSyncUser', async () => {
        const { namespace, name, generation } = input.app;
        const { entry } = input;
        const candidates: ServiceUserRef[] = [];
        if (entry.service === 'kafka') {
          const pool = entry.pool ?? '';
          const service = pool ? await kafkaService(deps, pool) : undefined;
          if (service) candidates.push({ handler: 'kafka', project: pool, service, username: kafkaServiceUserName(namespace, name, generation) });
        } else if (entry.service === 'opensearch') {
          const username = openSearchUserName(namespace, entry.access, generation, name);
          // Only services backed by an OpenSearch object in the namespace, as the sync picks them.
          for (const service of openSearchServiceCandidates(namespace, entry.instance ?? '')) {
            if (await instanceExists(deps, 'opensearches', namespace, service)) candidates.push({ handler: 'opensearch', project: deps.mainProject, service, username });
          }
        } else {
          const service = valkeyServiceName(namespace, entry.instance ?? '');
          candidates.push({ handler: 'valkey', project: deps.mainProject, service, username: valkeyUserName(name, entry.access, generation) });
        }
        for (const user of candidates) {
          // Aiven refuses longer names (the failed pass got its 400): such a user cannot exist.
          if (user.username.length > MAX_SERVICE_USER_NAME_LENGTH) continue;
          try {
            await deps.aiven.getServiceUser(user.project, user.service!, user.username);
            // Kafka users are identified by pool and name, as the Secret annotations record them.
            return user.handler === 'kafka' ? { handler: 'kafka', project: user.project, username: user.username } : user;
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
        return null;
      });
    },
  };
}

/**
 * Other live managed Secrets pointing at each user: serviceUserKey → "ns/name"
 * (just "name" when `namespace` is given: then only that namespace is searched,
 * as for the Secret finalizer, whose messages a tenant reads). Cluster-wide
 * otherwise (the release workflow), or the Secret's own namespace when the
 * token may only list there.
 */
async function findReferences(deps: ActivityDeps, users: ServiceUserRef[], exclude?: SecretRef, namespace?: string): Promise<Record<string, string>> {
  const wanted = new Set(users.map(serviceUserKey));
  if (wanted.size === 0) return {};
  let secrets;
  try {
    secrets = await listSecretMetadata(deps.kube, aivenatorSecretSelector(), namespace);
  } catch (err) {
    if (!exclude || !isKubeError(err, 403)) throw err;
    secrets = await listSecretMetadata(deps.kube, aivenatorSecretSelector(), exclude.namespace);
  }
  const found: Record<string, string> = {};
  for (const s of secrets) {
    const meta = s.metadata ?? {};
    if (meta.deletionTimestamp) continue;
    if (exclude && meta.uid === exclude.uid) continue;
    for (const user of secretServiceUsers(meta.annotations).users) {
      // A Secret of a namespace the user cannot belong to is no evidence (a tenant could plant one to pin another team's user).
      if (!namespace && !couldBelongTo(user, meta.namespace ?? '')) continue;
      const key = serviceUserKey(user);
      if (wanted.has(key) && !found[key]) found[key] = namespace ? meta.name ?? '' : `${meta.namespace}/${meta.name}`;
    }
  }
  return found;
}

/** The pool's Kafka service as the sync resolves it (`kafka`, then `<pool>-kafka`); undefined when neither exists. */
async function kafkaService(deps: ActivityDeps, pool: string): Promise<string | undefined> {
  try {
    return await deps.caches.kafkaServiceName.get(pool, async () => {
      for (const name of kafkaServiceCandidates(pool)) {
        try {
          await deps.aiven.getService(pool, name);
          return name;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      throw new NoKafkaService();
    });
  } catch (err) {
    if (err instanceof NoKafkaService) return undefined;
    throw err;
  }
}

class NoKafkaService extends Error {}

/** A refused deletion, said three ways: a Warning event in the owner's own namespace, a metric, a log line. */
async function reportRefusal(deps: ActivityDeps, input: DeleteUserInput, verdict: Extract<DeletionVerdict, { kind: 'refused' }>): Promise<void> {
  const { user, regarding } = input;
  deps.metrics?.cleanupRefused?.(verdict.reason);
  deps.log.warn(
    { project: user.project, service: user.service, username: user.username, handler: user.handler, refusal: verdict.reason, detail: verdict.detail, regarding: regarding ? `${regarding.kind} ${regarding.namespace}/${regarding.name}` : undefined },
    'refused to delete a service user not proven to belong to what is cleaned up',
  );
  if (!regarding) return;
  // A user named by the Secret's own annotations may be named back; one from a workflow's input may not.
  const note = verdict.fromSecret
    ? `refused to delete ${user.handler} user ${user.username} named by this Secret (${verdict.reason}): ${verdict.detail}. Nothing was deleted in Aiven; only Aivenator's finalizer is removed`
    : `refused to delete a ${user.handler} user (${verdict.reason}): it is not proven to belong to this ${regarding.kind}. Nothing was deleted in Aiven`;
  await emitEvent(deps, regarding, { reason: 'CleanupRefused', note, type: 'Warning', action: 'Delete' });
}
