// Builds the long-running parts of Aivenator from configuration: the worker
// (workflows + activities) and the controller (watch + signal-with-start).
import * as k8s from '@kubernetes/client-node';
import { Client, type Connection } from '@temporalio/client';
import { createActivities, createCaches } from '../../activities';
import { deriveSigningKey } from '../provenance/signature';
import { AivenClient } from '../aiven/client';
import { Config } from '../config';
import { AppController } from '../controller/controller';
import { SecretController } from '../controller/secret-controller';
import { ensureJanitorSchedule, janitorScheduleId } from './janitor-schedule';
import { KubeCaches } from '../kube/cache/kube-caches';
import { makeKubeClients } from '../kube/clients';
import { Logger } from '../log';
import { MetricsHooks } from '../metrics/hooks';
import { AivenatorWorker, createAivenatorWorker } from '../../worker/worker';
import { TemporalOpenSearchAclSerialiser } from '../../worker/opensearch-acl-serialiser';
import { ReportingAppSignaler, ReportingFinalizerStarter, SignalHealth } from './signal-health';
import { connectClient, connectNative, describeTemporalError, listMissingSearchAttributes, searchAttributeCommand } from './temporal';

export interface ServiceContext {
  config: Config;
  kc: k8s.KubeConfig;
  log: Logger;
  temporalAddress: string;
  /** Hook for metrics on every Aiven call. */
  onAivenResponse?: ConstructorParameters<typeof AivenClient>[0]['onResponse'];
  metrics?: MetricsHooks;
  /** A workflow bundle made ahead of time (`aivenator bundle`); bundled at start when absent. */
  workflowBundlePath?: string;
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

export async function startWorker(ctx: ServiceContext, opts: { namespace?: string } = {}): Promise<RunningService & { worker: AivenatorWorker }> {
  const { config, log } = ctx;
  const connection = await connectNative(config, ctx.temporalAddress);
  const kube = makeKubeClients(ctx.kc);
  // The janitor's informer caches, shared by every activity of this process.
  const kubeCaches = new KubeCaches({ kube, log: log.child({ component: 'kube-caches' }), namespace: opts.namespace });
  await kubeCaches.start();
  const activities = createActivities({
    kube,
    kubeCaches,
    aiven: aivenClient(ctx),
    projects: config.projects,
    mainProject: config.mainProject,
    log: log.child({ component: 'activities' }),
    caches: createCaches({ driftIntervalMs: config.driftIntervalMs }),
    openSearchAcl: new TemporalOpenSearchAclSerialiser(new Client({ connection, namespace: config.temporal.namespace }), config.temporal.taskQueue),
    driftIntervalMs: config.driftIntervalMs,
    replacedUserMaxAgeMs: config.replacedUserMaxAgeMs,
    metrics: ctx.metrics,
    signingKey: deriveSigningKey({ signingKey: config.signingKey, aivenToken: config.aivenToken }),
  });
  const worker = await createAivenatorWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...(ctx.workflowBundlePath ? { workflowBundle: { codePath: ctx.workflowBundlePath } } : {}),
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    aivenCallsPerSecond: config.aivenRateLimit,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
  });
  const done = worker.run().finally(() => Promise.all([connection.close(), kubeCaches.stop()]).then(() => undefined));
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

export async function startController(
  ctx: ServiceContext,
  opts: { namespace?: string } = {},
): Promise<RunningService & { controller: AppController; secretController: SecretController; signalHealth: SignalHealth }> {
  const { config, log } = ctx;
  const { client, connection } = await connectClient(config, ctx.temporalAddress);
  const where = { address: ctx.temporalAddress, namespace: config.temporal.namespace };
  const signalHealth = new SignalHealth();
  // Until the search attributes exist, look again every 30 s (a signal that goes through clears it too).
  let recheck: NodeJS.Timeout | undefined;
  const check = async () => {
    if (await checkSearchAttributes(connection, where, signalHealth, log)) return;
    recheck = setTimeout(() => void check(), 30_000);
    recheck.unref();
  };
  await check();
  const kube = makeKubeClients(ctx.kc);
  const controller = new AppController({
    kube,
    signaler: new ReportingAppSignaler(client, config.temporal.taskQueue, signalHealth, where),
    log: log.child({ component: 'controller' }),
    namespace: opts.namespace,
  });
  // Deleted managed Secrets: one finalizer workflow each (issue 4).
  const secretController = new SecretController({
    kube,
    starter: new ReportingFinalizerStarter(client, config.temporal.taskQueue, signalHealth, where),
    log: log.child({ component: 'secret-controller' }),
    namespace: opts.namespace,
    // A deleted Secret that a spec still names is rewritten at once.
    onDeleted: (namespace, name) => controller.secretDeleted(namespace, name),
  });
  await controller.start();
  await secretController.start();
  // The whole-cluster janitor every 15 minutes. Without it the per-application pass still runs.
  try {
    const outcome = await ensureJanitorSchedule(client, { taskQueue: config.temporal.taskQueue, namespace: opts.namespace });
    log.info({ schedule: janitorScheduleId(config.temporal.taskQueue, opts.namespace), outcome }, 'janitor schedule ready');
  } catch (err) {
    log.error({ err: describeTemporalError(err, where) }, 'could not create or update the janitor schedule');
  }
  // Users awaiting release (retirement or compensation), fleet-wide, from Temporal's visibility at each scrape.
  const releases = `WorkflowType = 'releaseServiceUsersWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${config.temporal.taskQueue}'`;
  ctx.metrics?.countPendingReleases?.(async (startedBefore) => (await client.workflow.count(startedBefore ? `${releases} AND StartTime < '${startedBefore.toISOString()}'` : releases)).count);
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  log.info({ namespace: opts.namespace ?? 'all' }, 'controller started');
  return {
    name: 'controller',
    controller,
    secretController,
    signalHealth,
    done,
    async stop() {
      clearTimeout(recheck);
      await controller.stop();
      await secretController.stop();
      await connection.close();
      resolveDone();
    },
  };
}

/**
 * A namespace without Aivenator's search attributes refuses every
 * signal-with-start: say so at start, with the command that fixes it. The
 * check needs operator rights some deployments (Temporal Cloud API keys) lack;
 * then the first signal tells.
 */
/** True when settled (all there, or the check is not allowed); false to look again later. */
async function checkSearchAttributes(connection: Connection, where: { address: string; namespace: string }, health: SignalHealth, log: Logger): Promise<boolean> {
  let missing: string[];
  try {
    missing = await listMissingSearchAttributes(connection, where.namespace);
  } catch (err) {
    log.debug({ err: describeTemporalError(err, where) }, 'could not list the namespace\'s search attributes');
    return true;
  }
  if (missing.length === 0) {
    health.clear('search-attributes');
    return true;
  }
  const message = `the Temporal namespace "${where.namespace}" lacks the search attributes ${missing.join(', ')}; create them with: ${searchAttributeCommand(where.namespace, where.address, missing)}`;
  health.failed(message, 'search-attributes');
  log.error({ missing, namespace: where.namespace, address: where.address }, message);
  return false;
}
