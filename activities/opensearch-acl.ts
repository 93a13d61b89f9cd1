// OpenSearch ACL edits. Aiven has no compare-and-set for a service's ACL config:
// every change is GET, edit, PUT of the whole config, so two edits of one
// service at once lose one of them (found by the chaos suite). The edit itself
// is `applyOpenSearchAclChange`; callers go through `deps.openSearchAcl`, which
// the worker wires to one actor workflow per service (workflows/opensearch-acl.ts),
// so the edits of a service run one after the other across all worker replicas.
import { isNotFound } from '../src/aiven/errors';
import { mergeOpenSearchAcl, removeOpenSearchAclUser } from '../src/handlers/opensearch';
import type { OpenSearchAclChange, OpenSearchAclChangeResult } from '../src/model/types';
import type { ActivityDeps } from './deps';
import { withFailures } from './failures';

/** Serialises ACL changes per service; see worker/opensearch-acl-serialiser.ts. */
export interface OpenSearchAclSerialiser {
  apply(change: OpenSearchAclChange): Promise<OpenSearchAclChangeResult>;
}

/** One read-modify-write of the service's ACL config. Idempotent: a repeated grant or revoke changes nothing. */
export async function applyOpenSearchAclChange(deps: Pick<ActivityDeps, 'aiven' | 'log'>, change: OpenSearchAclChange): Promise<OpenSearchAclChangeResult> {
  const { project, service, username } = change;
  let config;
  try {
    config = await deps.aiven.getOpenSearchAcl(project, service);
  } catch (err) {
    // A revoke on a service that is gone is done; a grant on it is an error the caller reports.
    if (change.op === 'revoke' && isNotFound(err)) return 'absent';
    throw err;
  }
  const next = change.op === 'grant' ? mergeOpenSearchAcl(config, username, change.access) : removeOpenSearchAclUser(config, username);
  if (!next.changed) return change.op === 'revoke' ? 'absent' : 'unchanged';
  await deps.aiven.updateOpenSearchAcl(project, service, next.config);
  deps.log.info({ project, service, username, op: change.op }, 'OpenSearch ACL updated');
  return 'changed';
}

export function openSearchAclActivities(deps: ActivityDeps) {
  return {
    /** Run by the per-service ACL workflow (as a local activity), never directly by a pass. */
    async applyOpenSearchAclChange(change: OpenSearchAclChange): Promise<OpenSearchAclChangeResult> {
      return withFailures('updateOpenSearchAcl', () => applyOpenSearchAclChange(deps, change));
    },
  };
}
