// OpenSearch ACL edits. Aiven has no compare-and-set for a service's ACL config:
// every change is GET, edit, PUT of the whole config, so two edits of one
// service at once lose one of them (found by the chaos suite). Callers go
// through `deps.openSearchAcl`, which the worker wires to one actor workflow
// per service (workflows/opensearch-acl.ts): it applies the queued changes of
// its service in batches, one read-modify-write at a time, across all worker
// replicas.
import { ApplicationFailure } from '@temporalio/common';
import { isNotFound } from '../src/aiven/errors';
import { AclChange, mergeOpenSearchAcl, removeOpenSearchAclUser } from '../src/handlers/opensearch';
import type { OpenSearchAclChange, OpenSearchAclChangeOutcome, OpenSearchAclChangeResult } from '../src/model/types';
import type { ActivityDeps } from './deps';
import { toActivityFailure, withFailures } from './failures';

/**
 * One read-modify-write of a service's ACL config for a batch of its changes,
 * in order. Idempotent: a repeated grant or revoke changes nothing. A service
 * that is gone makes revokes 'absent' and fails the grants alone.
 */
export async function applyOpenSearchAclChanges(deps: Pick<ActivityDeps, 'aiven' | 'log'>, changes: OpenSearchAclChange[]): Promise<OpenSearchAclChangeOutcome[]> {
  if (changes.length === 0) return [];
  const { project, service } = changes[0];
  if (changes.some((c) => c.project !== project || c.service !== service)) throw new Error('a batch of ACL changes must be for one service');
  let config;
  try {
    config = await deps.aiven.getOpenSearchAcl(project, service);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const failure = asFailure(err);
    return changes.map((c) => (c.op === 'revoke' ? { result: 'absent' } : { failure }));
  }
  const results: OpenSearchAclChangeResult[] = [];
  for (const change of changes) {
    const next: AclChange = change.op === 'grant' ? mergeOpenSearchAcl(config, change.username, change.access) : removeOpenSearchAclUser(config, change.username);
    config = next.config;
    results.push(next.changed ? 'changed' : change.op === 'revoke' ? 'absent' : 'unchanged');
  }
  if (results.includes('changed')) {
    await deps.aiven.updateOpenSearchAcl(project, service, config);
    deps.log.info({ project, service, changes: changes.map((c) => `${c.op} ${c.username}`) }, 'OpenSearch ACL updated');
  }
  return results.map((result) => ({ result }));
}

function asFailure(err: unknown): { type: string; message: string; nonRetryable: boolean } {
  const failure = toActivityFailure(err, 'updateOpenSearchAcl');
  if (failure instanceof ApplicationFailure) return { type: failure.type ?? 'InternalError', message: failure.message, nonRetryable: failure.nonRetryable ?? false };
  return { type: 'InternalError', message: String(err), nonRetryable: false };
}

export function openSearchAclActivities(deps: ActivityDeps) {
  return {
    /** Run by the per-service ACL workflow (as a local activity), never directly by a pass. */
    async applyOpenSearchAclChanges(changes: OpenSearchAclChange[]): Promise<OpenSearchAclChangeOutcome[]> {
      return withFailures('updateOpenSearchAcl', () => applyOpenSearchAclChanges(deps, changes));
    },
  };
}
