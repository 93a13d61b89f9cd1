// One actor per OpenSearch service, id `opensearch-acl/<project>/<service>`:
// every ACL change of that service, from any worker replica, arrives as a
// signal (signal-with-start) and waits in a queue; the actor applies what has
// queued up in one read-modify-write at a time, and callers read their
// outcome with a query. Signals, unlike updates, have no small in-flight
// limit, and a burst of changes costs one GET and one PUT per batch. The
// actor ends after a quiet spell; a later change starts a new run.
import * as wf from '@temporalio/workflow';
import type { AivenatorActivities } from '../activities/types';
import type { OpenSearchAclChange, OpenSearchAclChangeOutcome } from '../src/model/types';

export function openSearchAclWorkflowId(project: string, service: string): string {
  return `opensearch-acl/${project}/${service}`;
}

export interface QueuedAclChange {
  /** Chosen by the caller, to find its outcome. */
  id: string;
  change: OpenSearchAclChange;
}

export type AclChangeStatus = { state: 'pending' } | ({ state: 'done' } & OpenSearchAclChangeOutcome);

export const aclChangeSignal = wf.defineSignal<[QueuedAclChange]>('aclChange');
/** undefined: this actor never saw that id (the caller should send it again). */
export const aclChangeStatusQuery = wf.defineQuery<AclChangeStatus | undefined, [string]>('aclChangeStatus');

export interface OpenSearchAclWorkflowInput {
  project: string;
  service: string;
  /** Carried across continue-as-new. */
  queue?: QueuedAclChange[];
  outcomes?: [string, OpenSearchAclChangeOutcome][];
  applied?: number;
}

/** How long the actor waits for the next change before it ends. */
const IDLE = '10 minutes';
/** Outcomes kept for callers to read; older ones are dropped first. */
const KEPT_OUTCOMES = 500;
/** Changes per read-modify-write. */
const BATCH = 50;

/**
 * A local activity: it runs in the workflow worker, so callers that wait for
 * their change in activities on the Aiven task queue never hold a slot the
 * change itself would need. One attempt: a failure goes back to the callers,
 * whose own activity retries are the one retry mechanism (retrying here too
 * would multiply the attempts and outlast the callers' timeouts).
 */
const { applyOpenSearchAclChanges } = wf.proxyLocalActivities<AivenatorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

export async function openSearchAclWorkflow(input: OpenSearchAclWorkflowInput): Promise<number> {
  const queue: QueuedAclChange[] = [...(input.queue ?? [])];
  const outcomes = new Map<string, OpenSearchAclChangeOutcome>(input.outcomes ?? []);
  const inQueue = new Set(queue.map((q) => q.id));
  let applied = input.applied ?? 0;

  wf.setHandler(aclChangeSignal, (queued) => {
    const { project, service } = queued.change;
    if (project !== input.project || service !== input.service) {
      wf.log.warn('ACL change for another service ignored', { id: queued.id, project, service });
      return;
    }
    if (inQueue.has(queued.id) || outcomes.has(queued.id)) return;
    queue.push(queued);
    inQueue.add(queued.id);
  });
  wf.setHandler(aclChangeStatusQuery, (id) => {
    const outcome = outcomes.get(id);
    if (outcome) return { state: 'done', ...outcome };
    return inQueue.has(id) ? { state: 'pending' } : undefined;
  });

  for (;;) {
    if (!(await wf.condition(() => queue.length > 0, IDLE))) break;
    const batch = queue.splice(0, BATCH);
    wf.setCurrentDetails(`applying ${batch.length} change(s): ${batch.map((q) => `${q.change.op} ${q.change.username}`).join(', ')}; ${applied} applied before`);
    let results: OpenSearchAclChangeOutcome[];
    try {
      results = await applyOpenSearchAclChanges(batch.map((q) => q.change));
    } catch (err) {
      // The whole read-modify-write failed: each caller's activity retries with its own change.
      const failure = describeFailure(err);
      results = batch.map(() => ({ failure }));
    }
    batch.forEach((q, i) => {
      inQueue.delete(q.id);
      outcomes.set(q.id, results[i]);
    });
    applied += batch.length;
    while (outcomes.size > KEPT_OUTCOMES) outcomes.delete(outcomes.keys().next().value!);
    wf.setCurrentDetails(`${applied} change(s) applied; waiting for the next`);
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.continueAsNew<typeof openSearchAclWorkflow>({ ...input, queue, outcomes: [...outcomes], applied });
    }
  }
  return applied;
}

function describeFailure(err: unknown): { type: string; message: string; nonRetryable: boolean } {
  const cause = err instanceof wf.ActivityFailure ? err.cause : err;
  if (cause instanceof wf.ApplicationFailure) return { type: cause.type ?? 'InternalError', message: cause.message, nonRetryable: cause.nonRetryable ?? false };
  return { type: 'InternalError', message: cause instanceof Error ? cause.message : String(cause), nonRetryable: false };
}
