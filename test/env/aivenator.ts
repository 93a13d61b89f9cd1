// Runs Aivenator in the test process: a worker with the real activities on its
// own task queue, and the controller watching one namespace, against the
// shared test world.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { installTestRuntime } from './runtime';
import { createActivities, createCaches } from '../../activities';
import type { ActivityDeps } from '../../activities';
import type { AivenatorActivities } from '../../activities/types';
import { AivenClient } from '../../src/aiven/client';
import { AppController } from '../../src/controller/controller';
import { FinalizerStarter, SecretController } from '../../src/controller/secret-controller';
import { AppSignaler } from '../../src/controller/signaler';
import { FakeAivenControl } from '../../src/fake-aiven';
import type { AivenApplication } from '../../src/kube/aivenapp-types';
import { KubeCaches } from '../../src/kube/cache/kube-caches';
import { makeKubeClients } from '../../src/kube/clients';
import { ensureJanitorSchedule, janitorScheduleId } from '../../src/runtime/janitor-schedule';
import { createLogger } from '../../src/log';
import type { MetricsHooks } from '../../src/metrics/hooks';
import { createAivenatorWorker } from '../../worker/worker';
import { TemporalOpenSearchAclSerialiser } from '../../worker/opensearch-acl-serialiser';
import { adminKubeConfig, world } from './world';

export interface AivenatorUnderTest {
  client: Client;
  taskQueue: string;
  controller?: AppController;
  secretController?: SecretController;
  deps: ActivityDeps;
  /** Stops the worker (gracefully) and starts a new one on the same task queue; the controllers keep running. */
  restartWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Watch only this namespace (tests each have their own). */
  namespace: string;
  startController?: boolean;
  projects?: string[];
  /** Lets a test observe or alter the activities the worker runs. */
  wrapActivities?: (activities: AivenatorActivities) => AivenatorActivities;
  /** Start the Secret controller (finalizer workflows); follows startController by default. */
  startSecretController?: boolean;
  /** Create the janitor's Temporal Schedule for this namespace (deleted again by stop()). */
  janitorSchedule?: boolean;
  /** How long users replaced in a Secret that kept its name live on (production default 1 h). */
  replacedUserGraceMs?: number;
  /** Credential-health checks of every actor; off unless a test asks. */
  driftIntervalMs?: number;
  metrics?: MetricsHooks;
  /** The fleet-wide Aiven rate limit the worker sets on the Aiven task queue. */
  aivenCallsPerSecond?: number;
  /** The worker's informer caches for the janitor (on unless false: then it lists live). */
  kubeCaches?: boolean;
}

export async function startAivenator(opts: StartOptions): Promise<AivenatorUnderTest> {
  const w = world();
  installTestRuntime();
  const kube = makeKubeClients(adminKubeConfig());
  const log = createLogger({ level: process.env.AIVENATOR_TEST_LOG_LEVEL ?? 'silent', component: 'test' });
  const taskQueue = `aivenator-${opts.namespace}`;
  const nativeConnection = await NativeConnection.connect({ address: w.temporal.address });
  const kubeCaches = opts.kubeCaches === false ? undefined : new KubeCaches({ kube, log, namespace: opts.namespace, restartDelayMs: 200 });
  await kubeCaches?.start();
  const deps: ActivityDeps = {
    kube,
    ...(kubeCaches ? { kubeCaches } : {}),
    aiven: new AivenClient({ baseUrl: w.aiven.url, token: w.aiven.token }),
    projects: opts.projects ?? w.aiven.projects,
    mainProject: w.aiven.mainProject,
    log,
    caches: createCaches({ driftIntervalMs: opts.driftIntervalMs }),
    openSearchAcl: new TemporalOpenSearchAclSerialiser(new Client({ connection: nativeConnection, namespace: w.temporal.namespace }), taskQueue),
    driftIntervalMs: opts.driftIntervalMs ?? 0,
    metrics: opts.metrics,
    ...(opts.replacedUserGraceMs !== undefined ? { replacedUserGraceMs: opts.replacedUserGraceMs } : {}),
  };
  const activities = (opts.wrapActivities ?? ((a) => a))(createActivities(deps));
  const startWorker = async () => {
    const worker = await createAivenatorWorker({
      connection: nativeConnection,
      namespace: w.temporal.namespace,
      taskQueue,
      activities,
      workflowBundle: { codePath: w.workflowBundlePath },
      shutdownGraceTime: '1s',
      aivenCallsPerSecond: opts.aivenCallsPerSecond,
    });
    return { worker, running: worker.run() };
  };
  let current = await startWorker();
  const connection = await Connection.connect({ address: w.temporal.address });
  const client = new Client({ connection, namespace: w.temporal.namespace });
  let controller: AppController | undefined;
  if (opts.startController !== false) {
    controller = new AppController({ kube, signaler: new AppSignaler(client, taskQueue), log, namespace: opts.namespace, restartDelayMs: 200 });
    await controller.start();
  }
  let secretController: SecretController | undefined;
  if (opts.startSecretController ?? opts.startController !== false) {
    const onDeleted = (namespace: string, name: string) => controller?.secretDeleted(namespace, name);
    secretController = new SecretController({ kube, starter: new FinalizerStarter(client, taskQueue), log, namespace: opts.namespace, restartDelayMs: 200, onDeleted });
    await secretController.start();
  }
  if (opts.janitorSchedule) await ensureJanitorSchedule(client, { taskQueue, namespace: opts.namespace });
  return {
    client,
    taskQueue,
    controller,
    secretController,
    deps,
    async restartWorker() {
      current.worker.shutdown();
      await current.running;
      current = await startWorker();
    },
    async stop() {
      await controller?.stop();
      await secretController?.stop();
      if (opts.janitorSchedule) await client.schedule.getHandle(janitorScheduleId(taskQueue, opts.namespace)).delete().catch(() => undefined);
      current.worker.shutdown();
      await current.running;
      await connection.close();
      await nativeConnection.close();
      await kubeCaches?.stop();
    },
  };
}

/** RolloutComplete at `generation` (by default the application's current one). */
export function isConverged(app: AivenApplication, generation = app.metadata.generation): boolean {
  return app.status?.synchronizationState === 'RolloutComplete' && app.status.synchronizedGeneration === generation;
}

export function fakeAiven(): FakeAivenControl {
  return new FakeAivenControl(world().aiven.url);
}

/** Polls until `check` returns a value (not undefined) or throws the last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
