// Get-or-create of Aiven service users, shared by the handlers' activities.
// Creating first costs one call for a new user (its response carries the
// credentials); only an existing user is read back with include_secrets.
import { isAlreadyExists } from '../src/aiven/errors';
import { ServiceUser, ValkeyAccessControl } from '../src/aiven/types';
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
  try {
    const user = await deps.aiven.createServiceUser(project, service, { username, ...(accessControl ? { access_control: accessControl } : {}) });
    deps.log.info({ project, service, username }, 'created service user');
    deps.metrics?.serviceUserCreated(project, service);
    return { user, created: true };
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  return { user: await deps.aiven.getServiceUser(project, service, username, { includeSecrets: true }), created: false };
}

/** The project CA, cached: it changes only when Aiven rotates it. */
export function projectCa(deps: ActivityDeps, project: string): Promise<string> {
  return deps.caches.projectCa.get(project, () => deps.aiven.getProjectCa(project));
}
