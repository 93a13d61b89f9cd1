// Identity of an Aiven service user, shared by the workflows (no imports, so
// the workflow bundle stays small) and the activities.

export interface ServiceUserIdentity {
  handler: 'kafka' | 'opensearch' | 'valkey';
  project: string;
  service?: string;
  username: string;
}

/**
 * `handler/project/service/username`. Kafka Secrets do not record the service
 * (it is resolved from the pool), so a Kafka user is identified by project
 * and name only.
 */
export function serviceUserKey(u: ServiceUserIdentity): string {
  return `${u.handler}/${u.project}/${u.handler === 'kafka' ? '' : u.service ?? ''}/${u.username}`;
}

export function describeServiceUser(u: ServiceUserIdentity): string {
  return u.service ? `${u.handler} user ${u.username} in ${u.project}/${u.service}` : `${u.handler} user ${u.username} in pool ${u.project}`;
}
