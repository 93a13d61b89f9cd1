// The last step of every sync activity: write the Secret (server-side apply)
// with the application's labels and annotations plus the handler's, and tell
// the Secret's events what happened. Returns names and a hash, never data.
import * as k8s from '@kubernetes/client-node';
import * as crypto from 'node:crypto';
import { AIVEN_SECRET_UPDATED_KEY, FINALIZER, LABEL_APP, LABEL_TYPE, SECRET_TYPE, commonSecretData } from '../src/handlers/secret-meta';
import { secretServiceUsers } from '../src/janitor/user-refs';
import { signingKey } from '../src/provenance/key';
import { signatureAnnotation } from '../src/provenance/signature';
import { SecretNotManagedError, applySecret, readSecret } from '../src/kube/secrets';
import { ActivityDeps } from './deps';
import { emitEvent } from './events';
import { InvalidSpecError, SecretNameConflictError, SupersededError } from './failures';
import { getAivenApp } from '../src/kube/aivenapps';
import type { SyncSecretInput } from '../src/model/types';
import { secretNameError } from '../src/naming/names';

export function isManagedSecret(secret: k8s.V1Secret): boolean {
  return secret.metadata?.labels?.[LABEL_TYPE] === SECRET_TYPE;
}

/**
 * Reads the Secret the entry names, refusing invalid names and Secrets that are
 * not ours before any Aiven call — and refusing to act at all for a generation
 * the application has left behind (an attempt retried long after its pass, e.g.
 * once a killed worker's activity timed out, must not create an old user again).
 */
export async function readTargetSecret(deps: ActivityDeps, input: SyncSecretInput): Promise<k8s.V1Secret | null> {
  const error = secretNameError(input.entry.secretName);
  if (error) throw new InvalidSpecError(`secretName ${error}`);
  const app = await getAivenApp(deps.kube, input.app.namespace, input.app.name);
  const generation = app?.metadata.generation ?? 0;
  if (!app || app.metadata.uid !== input.app.uid || app.metadata.deletionTimestamp || generation > input.app.generation) {
    throw new SupersededError(`AivenApplication ${input.app.namespace}/${input.app.name} is no longer at generation ${input.app.generation}; the next pass takes over`);
  }
  const existing = await readSecret(deps.kube, input.app.namespace, input.entry.secretName);
  if (existing && !isManagedSecret(existing)) {
    throw new SecretNotManagedError(input.app.namespace, input.entry.secretName);
  }
  const owner = existing?.metadata?.labels?.[LABEL_APP];
  if (existing && owner !== input.app.name) {
    // Checked before any Aiven call: the other application keeps its Secret and its user.
    throw new SecretNameConflictError(
      `Secret ${input.entry.secretName} is managed by Aivenator for ${owner ? `application ${owner}` : 'no application (it has no app label)'}, not for ${input.app.name}; choose another secretName`,
    );
  }
  return existing;
}

export interface SecretWrite {
  secretWrite: 'created' | 'updated';
  dataHash: string;
}

/** Keys that change on every write by design; left out of the hash so it tells real changes. */
const VOLATILE_KEYS = new Set([AIVEN_SECRET_UPDATED_KEY, 'KAFKA_SECRET_UPDATED', 'KAFKA_CREDSTORE_PASSWORD', 'client.keystore.p12', 'client.truststore.jks']);

export async function writeSecret(
  deps: ActivityDeps,
  input: SyncSecretInput,
  existing: k8s.V1Secret | null,
  handlerAnnotations: Record<string, string>,
  handlerData: Record<string, string | Buffer>,
  mainProjectCa: string,
): Promise<SecretWrite> {
  const { namespace } = input.app;
  const name = input.entry.secretName;
  const data = { ...commonSecretData(deps.now?.() ?? new Date(), mainProjectCa), ...handlerData };
  // Aivenator's signature over each user this write names: the finalizer's proof that the user is this Secret's.
  const claims = secretServiceUsers(handlerAnnotations).users.map((u) => ({
    namespace, secretName: name, kind: u.handler, service: u.handler === 'kafka' ? '' : u.service ?? '', project: u.project, username: u.username,
  }));
  let secretWrite: SecretWrite['secretWrite'];
  try {
    secretWrite = await applySecret(
      deps.kube,
      {
        namespace,
        name,
        labels: input.secretContext.labels,
        annotations: { ...input.secretContext.annotations, ...handlerAnnotations, ...signatureAnnotation(signingKey(deps), claims) },
        finalizers: [FINALIZER],
        data,
      },
      existing,
      isManagedSecret,
    );
  } catch (err) {
    deps.metrics?.kubernetesNotWritten(namespace, 'Secret');
    throw err;
  }
  deps.metrics?.kubernetesWritten(namespace, 'Secret');
  await emitEvent(
    deps,
    { apiVersion: 'v1', kind: 'Secret', namespace, name },
    { reason: secretWrite === 'created' ? 'SecretCreated' : 'SecretUpdated', note: `Secret ${secretWrite} for AivenApplication ${input.app.name}`, action: 'Write' },
  );
  deps.log.info({ aiven_application: input.app.name, team: namespace, secret_name: name, handler: input.entry.service, write: secretWrite }, 'wrote Secret');
  return { secretWrite, dataHash: hashData(data) };
}

function hashData(data: Record<string, string | Buffer>): string {
  const hash = crypto.createHash('sha256');
  for (const key of Object.keys(data).sort()) {
    if (VOLATILE_KEYS.has(key)) continue;
    hash.update(key).update('\0').update(data[key]).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

