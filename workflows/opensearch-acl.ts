// One actor per OpenSearch service, id `opensearch-acl/<project>/<service>`:
// every ACL change of that service, from any worker replica, arrives as an
// update (update-with-start) and is applied one at a time, in arrival order.
// The actor ends after a quiet spell; a caller that races its end gets an
// error, and its activity retry starts a new run.
import * as wf from '@temporalio/workflow';
import type { AivenatorActivities } from '../activities/types';
import type { OpenSearchAclChange, OpenSearchAclChangeResult } from '../src/model/types';

export function openSearchAclWorkflowId(project: string, service: string): string {
  return `opensearch-acl/${project}/${service}`;
}

export const applyAclChangeUpdate = wf.defineUpdate<OpenSearchAclChangeResult, [OpenSearchAclChange]>('applyAclChange');

export interface OpenSearchAclWorkflowInput {
  project: string;
  service: string;
  /** Changes applied by this run and its predecessors (continue-as-new), for the UI. */
  applied?: number;
}

/** How long the actor waits for the next change before it ends. */
const IDLE = '10 minutes';

/**
 * A local activity: it runs in the workflow worker, so a sync activity that
 * waits for its change on the Aiven task queue never holds the slot the
 * change itself would need.
 */
const { applyOpenSearchAclChange } = wf.proxyLocalActivities<AivenatorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
});

export async function openSearchAclWorkflow(input: OpenSearchAclWorkflowInput): Promise<number> {
  let applied = input.applied ?? 0;
  let busy = false;
  let lastActivity = 0;

  wf.setHandler(
    applyAclChangeUpdate,
    async (change) => {
      await wf.condition(() => !busy);
      busy = true;
      try {
        wf.setCurrentDetails(`${change.op} ${change.username} (${applied} applied)`);
        const result = await applyOpenSearchAclChange(change);
        applied++;
        return result;
      } catch (err) {
        // The caller's activity classifies the failure: keep its type and whether a retry can help.
        throw toUpdateFailure(err);
      } finally {
        busy = false;
        lastActivity++;
      }
    },
    {
      validator: (change) => {
        if (change.project !== input.project || change.service !== input.service) {
          throw new Error(`change for ${change.project}/${change.service} sent to the actor of ${input.project}/${input.service}`);
        }
      },
    },
  );

  for (;;) {
    const seen = lastActivity;
    const woke = await wf.condition(() => lastActivity !== seen || busy || wf.workflowInfo().continueAsNewSuggested, IDLE);
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof openSearchAclWorkflow>({ ...input, applied });
    }
    if (!woke && !busy) break;
  }
  await wf.condition(wf.allHandlersFinished);
  return applied;
}

function toUpdateFailure(err: unknown): wf.ApplicationFailure {
  const cause = err instanceof wf.ActivityFailure ? err.cause : err;
  if (cause instanceof wf.ApplicationFailure) {
    return wf.ApplicationFailure.create({ type: cause.type ?? undefined, message: cause.message, nonRetryable: cause.nonRetryable ?? undefined, details: cause.details as unknown[] | undefined });
  }
  return wf.ApplicationFailure.create({ type: 'InternalError', message: cause instanceof Error ? cause.message : String(cause) });
}
