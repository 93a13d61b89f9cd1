// One way to call activities from every workflow: those that call Aiven are
// sent to their own task queue (<task queue>-aiven), whose task-queue rate
// limit caps the whole fleet's Aiven calls, across all worker replicas.
import * as wf from '@temporalio/workflow';
import type { AivenatorActivities } from '../activities/types';
import { aivenTaskQueue } from './ids';

/** Activities that talk to Aiven. */
const AIVEN_ACTIVITIES = new Set<string>([
  'syncKafkaSecret',
  'syncOpenSearchSecret',
  'syncValkeySecret',
  'checkCredentials',
  'renewKafkaCertificate',
  'removeOpenSearchAclEntry',
  'deleteAivenServiceUser',
  'findFailedSyncUser',
] satisfies (keyof AivenatorActivities)[]);

export function proxyAivenatorActivities(options: wf.ActivityOptions): wf.ActivityInterfaceFor<AivenatorActivities> {
  const sameQueue = wf.proxyActivities<AivenatorActivities>(options);
  return new Proxy(sameQueue, {
    get(target, name) {
      if (typeof name === 'string' && AIVEN_ACTIVITIES.has(name)) {
        return (...args: unknown[]) => wf.scheduleActivity(name, args, { ...options, taskQueue: aivenTaskQueue(wf.workflowInfo().taskQueue) });
      }
      return target[name as keyof AivenatorActivities];
    },
  });
}
