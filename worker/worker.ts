// The Temporal worker: the application workflows (bundled once) and the
// activities built over the injected clients.
import type { Duration } from '@temporalio/common';
import { NativeConnection, Worker, WorkflowBundleWithSourceMap, bundleWorkflowCode } from '@temporalio/worker';
import type { AivenatorActivities } from '../activities/types';
import { aivenTaskQueue } from '../workflows/ids';

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
  /** Actors kept in memory (the SDK's default scales with the heap and held ~750 MB at 1,000 apps). */
  maxCachedWorkflows?: number;
  /** Aiven calls per second for the whole fleet (AIVENATOR_AIVEN_RATE_LIMIT); unlimited when absent. */
  aivenCallsPerSecond?: number;
}

export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietBundlerLogger });
}

/**
 * The most Aiven calls one activity makes with warm caches (OpenSearch: service,
 * create or read the user, read and write the ACL). The Aiven task queue is
 * limited to rate / this many activities per second.
 */
export const AIVEN_CALLS_PER_ACTIVITY = 4;

/**
 * Two Temporal workers in one: the workflows and Kubernetes-only activities on
 * the task queue, and the activities that call Aiven on `<task queue>-aiven`,
 * where Temporal's task-queue rate limit applies to the whole fleet.
 */
export class AivenatorWorker {
  constructor(readonly main: Worker, readonly aiven: Worker) {}

  /** Runs both until shutdown; if one fails, the other is shut down too. */
  async run(): Promise<void> {
    const runs = [this.main.run(), this.aiven.run()];
    try {
      await Promise.all(runs.map((run) => run.catch((err) => { this.shutdown(); throw err; })));
    } finally {
      await Promise.allSettled(runs);
    }
  }

  shutdown(): void {
    for (const worker of [this.main, this.aiven]) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  /** RUNNING only while both run. */
  getState(): ReturnType<Worker['getState']> {
    const states = [this.main.getState(), this.aiven.getState()];
    return states.find((s) => s !== 'RUNNING') ?? 'RUNNING';
  }
}

export async function createAivenatorWorker(opts: AivenatorWorkerOptions): Promise<AivenatorWorker> {
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const common = {
    connection: opts.connection,
    namespace: opts.namespace,
    activities: opts.activities,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 10,
    shutdownGraceTime: opts.shutdownGraceTime ?? '20s',
  };
  const main = await Worker.create({
    ...common,
    taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTaskExecutions ?? 10,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
  const aiven = await Worker.create({
    ...common,
    taskQueue: aivenTaskQueue(taskQueue),
    ...(opts.aivenCallsPerSecond ? { maxTaskQueueActivitiesPerSecond: opts.aivenCallsPerSecond / AIVEN_CALLS_PER_ACTIVITY } : {}),
  });
  return new AivenatorWorker(main, aiven);
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
  error: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
};
