// Builds the long-running parts of Aivenator from configuration: the worker
// (workflows + activities) and the controller (watch + signal-with-start).
import * as k8s from '@kubernetes/client-node';
import { Worker } from '@temporalio/worker';
import { createActivities, createCaches } from '../../activities';
import { AivenClient } from '../aiven/client';
import { Config } from '../config';
import { AppController } from '../controller/controller';
import { AppSignaler } from '../controller/signaler';
import { makeKubeClients } from '../kube/clients';
import { Logger } from '../log';
import { MetricsHooks } from '../metrics/hooks';
import { createAivenatorWorker } from '../../worker/worker';
import { connectClient, connectNative } from './temporal';

export interface ServiceContext {
  config: Config;
  kc: k8s.KubeConfig;
  log: Logger;
  temporalAddress: string;
  /** Hook for metrics on every Aiven call. */
  onAivenResponse?: ConstructorParameters<typeof AivenClient>[0]['onResponse'];
  metrics?: MetricsHooks;
}

export function aivenClient(ctx: ServiceContext): AivenClient {
  return new AivenClient({ baseUrl: ctx.config.aivenUrl, token: ctx.config.aivenToken, onResponse: ctx.onAivenResponse });
}

export interface RunningService {
  name: string;
  /** Resolves when the service has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(ctx: ServiceContext): Promise<RunningService & { worker: Worker }> {
  const { config, log } = ctx;
  const connection = await connectNative(config, ctx.temporalAddress);
  const activities = createActivities({
    kube: makeKubeClients(ctx.kc),
    aiven: aivenClient(ctx),
    projects: config.projects,
    mainProject: config.mainProject,
    log: log.child({ component: 'activities' }),
    caches: createCaches(),
    metrics: ctx.metrics,
  });
  const worker = await createAivenatorWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
  });
  const done = worker.run().finally(() => connection.close());
  log.info({ task_queue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  return {
    name: 'worker',
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

export async function startController(ctx: ServiceContext, opts: { namespace?: string } = {}): Promise<RunningService & { controller: AppController }> {
  const { config, log } = ctx;
  const { client, connection } = await connectClient(config, ctx.temporalAddress);
  const controller = new AppController({
    kube: makeKubeClients(ctx.kc),
    signaler: new AppSignaler(client, config.temporal.taskQueue),
    log: log.child({ component: 'controller' }),
    namespace: opts.namespace,
  });
  await controller.start();
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  log.info({ namespace: opts.namespace ?? 'all' }, 'controller started');
  return {
    name: 'controller',
    controller,
    done,
    async stop() {
      await controller.stop();
      await connection.close();
      resolveDone();
    },
  };
}
