// The janitor as workflows: `janitorSweepWorkflow` runs the whole-cluster (or
// whole-namespace) sweep, started every 15 minutes by a Temporal Schedule
// (src/runtime/janitor-schedule.ts); `runAppJanitor` is the per-application pass the
// application actor runs after each successful reconcile. The sweep itself is
// one activity (activities/janitor.ts): a failing list call makes it skip and
// report, never throw, so neither workflow fails on it.
import * as wf from '@temporalio/workflow';
import type { AivenatorActivities } from '../activities/types';
import type { AppRef, JanitorSweepInput, JanitorSweepResult } from '../src/model/types';
import { proxyAivenatorActivities } from './activity-proxy';

const sweep = proxyAivenatorActivities({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
}).janitorSweep;

const appSweepOptions: wf.ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 2 },
};
const appSweep = proxyAivenatorActivities(appSweepOptions).janitorSweep;
const localAppSweep = wf.proxyLocalActivities<AivenatorActivities>(appSweepOptions).janitorSweep;

export interface JanitorSweepWorkflowInput {
  /** The controller's namespace; all namespaces when absent. */
  namespace?: string;
}

export async function janitorSweepWorkflow(input: JanitorSweepWorkflowInput = {}): Promise<JanitorSweepResult> {
  const request: JanitorSweepInput = input.namespace ? { namespace: input.namespace } : {};
  wf.setCurrentDetails(`sweeping managed Secrets in ${input.namespace ?? 'all namespaces'}`);
  const result = await sweep(request);
  wf.setCurrentDetails(result.skipped ? `skipped: ${result.skipped}` : `deleted ${result.deletedCount} of ${result.considered} managed Secrets`);
  return result;
}

/**
 * The per-application pass: unused Secrets labelled app=<name> in the app's
 * namespace; `local` runs it as a local activity (one marker event). Best effort: a failure is logged, never fails the reconcile pass.
 */
export async function runAppJanitor(app: AppRef & { uid?: string }, local = false): Promise<JanitorSweepResult | undefined> {
  try {
    return await (local ? localAppSweep : appSweep)({ app: { namespace: app.namespace, name: app.name, uid: app.uid } });
  } catch (err) {
    wf.log.warn('per-application janitor failed', { namespace: app.namespace, name: app.name, error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}
