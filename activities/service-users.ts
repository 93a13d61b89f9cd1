// Get-or-create of Aiven service users, shared by the handlers' activities.
// Creating first costs one call for a new user (its response carries the
// credentials); only an existing user is read back with include_secrets.
//
// The real API is eventually consistent (aiven-api.md §1): right after a create
// a read can answer 404, and a new or changed password can read as empty. Both
// end here as a *retryable* error, so Temporal's activity retry tries again a
// moment later (the retry's create answers 409 and reads the user); nothing
// here loops, and no empty credential ever leaves this module.
import { AivenApiError, isAivenApiError, isAlreadyExists, isNotFound, type AivenOperation } from '../src/aiven/errors';
import { ServiceUser, ValkeyAccessControl } from '../src/aiven/types';
import { REDACTED } from '../src/handlers/credentials';
import { ActivityDeps } from './deps';

export interface EnsuredUser {
  user: ServiceUser;
  created: boolean;
}

export async function getOrCreateUser(
  deps: ActivityDeps,
  project: string,
  service: string,
  username: string,
  accessControl?: ValkeyAccessControl,
): Promise<EnsuredUser> {
  let conflict: AivenApiError;
  try {
    const user = await deps.aiven.createServiceUser(project, service, { username, ...(accessControl ? { access_control: accessControl } : {}) });
    deps.log.info({ project, service, username }, 'created service user');
    deps.metrics?.serviceUserCreated(project, service);
    return { user: requireCredentials(user, 'createServiceUser'), created: true };
  } catch (err) {
    // Any 409 is confirmed by reading the user: the "already exists" text is the
    // Go clients' convention, not something the API promises.
    if (!isAivenApiError(err) || err.status !== 409) throw err;
    conflict = err;
  }
  return { user: requireCredentials(await readConflictingUser(deps, project, service, username, conflict), 'getServiceUser'), created: false };
}

async function readConflictingUser(deps: ActivityDeps, project: string, service: string, username: string, conflict: AivenApiError): Promise<ServiceUser> {
  try {
    return await deps.aiven.getServiceUser(project, service, username, { includeSecrets: true });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const detail = isAlreadyExists(conflict)
      ? `Aiven says service user ${username} already exists, but reading it answers 404: it was probably created a moment ago and is not readable yet; retrying`
      : `Aiven answered 409 Conflict to creating service user ${username} (${conflict.message}), but the user does not exist; retrying`;
    throw new AivenApiError({ kind: 'retryable', operation: 'getServiceUser', status: 404, detail });
  }
}

/**
 * A user whose password (or, for Kafka, certificate or key) is empty, null or
 * still redacted is not ready: retryable, never written into a Secret.
 */
export function requireCredentials(user: ServiceUser, operation: AivenOperation): ServiceUser {
  const missing: string[] = [];
  if (!usable(user.password)) missing.push('password');
  // Kafka users have both; a user of another service has neither.
  const isCertUser = user.access_cert !== undefined && user.access_cert !== null || user.access_key !== undefined && user.access_key !== null;
  if (isCertUser) {
    if (!usable(user.access_cert)) missing.push('access_cert');
    if (!usable(user.access_key)) missing.push('access_key');
  }
  if (missing.length === 0) return user;
  throw new AivenApiError({
    kind: 'retryable',
    operation,
    detail: `service user ${user.username} has no ${missing.join(', ')} yet (empty in Aiven's answer, which happens right after a create or a password change); retrying`,
  });
}

function usable(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.trim() !== '' && value !== REDACTED;
}

/** The project CA, cached: it changes only when Aiven rotates it. */
export function projectCa(deps: ActivityDeps, project: string): Promise<string> {
  return deps.caches.projectCa.get(project, () => deps.aiven.getProjectCa(project));
}
