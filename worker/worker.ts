// The Temporal worker: the application workflows (bundled once) and the
// activities built over the injected clients, on one task queue.
import type { Duration } from '@temporalio/common';
import { NativeConnection, Worker, WorkflowBundleWithSourceMap, bundleWorkflowCode } from '@temporalio/worker';
import type { AivenatorActivities } from '../activities/types';

export const DEFAULT_TASK_QUEUE = 'aivenator';

export interface AivenatorWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  activities: AivenatorActivities;
  /** A bundle made once by bundleWorkflows(); bundled on the spot when absent. */
  workflowBundle?: WorkflowBundleWithSourceMap | { codePath: string };
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /** Seconds a SIGTERM gives running activities to finish. */
  shutdownGraceTime?: Duration;
}

export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietBundlerLogger });
}

export async function createAivenatorWorker(opts: AivenatorWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    activities: opts.activities,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 10,
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTaskExecutions ?? 10,
    shutdownGraceTime: opts.shutdownGraceTime ?? '20s',
  });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
  error: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
};
