// The Temporal Schedule that runs the whole-cluster janitor sweep every 15
// minutes (the reference's polling janitor). Created or brought up to date by
// every controller at startup; the id is derived from the task queue and the
// watch scope, so two replicas converge on one schedule while controllers with
// different --watch-namespace on one queue each keep their own.
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { janitorSweepWorkflow } from '../../workflows/janitor';

export const JANITOR_INTERVAL = '15m';

/** One schedule per task queue and watch scope (a namespace, or the whole cluster). */
export function janitorScheduleId(taskQueue: string, namespace?: string): string {
  return `aivenator-janitor/${taskQueue}/${namespace ? `ns/${namespace}` : 'cluster'}`;
}

export interface JanitorScheduleOptions {
  taskQueue: string;
  /** Sweep one namespace only (a namespace-scoped controller); all namespaces when absent. */
  namespace?: string;
  every?: Duration;
}

export async function ensureJanitorSchedule(client: Client, opts: JanitorScheduleOptions): Promise<'created' | 'updated'> {
  const scheduleId = janitorScheduleId(opts.taskQueue, opts.namespace);
  const spec = { intervals: [{ every: opts.every ?? JANITOR_INTERVAL }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: janitorSweepWorkflow,
    args: [opts.namespace ? { namespace: opts.namespace } : {}] as Parameters<typeof janitorSweepWorkflow>,
    taskQueue: opts.taskQueue,
    // The schedule appends the action time, so every sweep has its own id.
    workflowId: `janitor-sweep/${opts.taskQueue}/${opts.namespace ?? 'cluster'}`,
    workflowExecutionTimeout: '14 minutes' as Duration,
  };
  // A sweep still running when the next is due: skip the new one. After an outage run one late sweep, not many.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '5 minutes' as Duration };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, ...policies } }));
  return 'updated';
}
