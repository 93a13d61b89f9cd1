// Runs Aivenator in the test process: a worker with the real activities on its
// own task queue, and the controller watching one namespace, against the
// shared test world.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities, createCaches } from '../../activities';
import type { ActivityDeps } from '../../activities';
import type { AivenatorActivities } from '../../activities/types';
import { AivenClient } from '../../src/aiven/client';
import { AppController } from '../../src/controller/controller';
import { AppSignaler } from '../../src/controller/signaler';
import { FakeAivenControl } from '../../src/fake-aiven';
import { makeKubeClients } from '../../src/kube/clients';
import { createLogger } from '../../src/log';
import { createAivenatorWorker } from '../../worker/worker';
import { adminKubeConfig, world } from './world';

export interface AivenatorUnderTest {
  client: Client;
  taskQueue: string;
  controller?: AppController;
  deps: ActivityDeps;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Watch only this namespace (tests each have their own). */
  namespace: string;
  startController?: boolean;
  projects?: string[];
  /** Lets a test observe or alter the activities the worker runs. */
  wrapActivities?: (activities: AivenatorActivities) => AivenatorActivities;
}

let runtimeInstalled = false;

export async function startAivenator(opts: StartOptions): Promise<AivenatorUnderTest> {
  const w = world();
  if (!runtimeInstalled) {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Already installed by an earlier test file in this process.
    }
    runtimeInstalled = true;
  }
  const kube = makeKubeClients(adminKubeConfig());
  const log = createLogger({ level: process.env.AIVENATOR_TEST_LOG_LEVEL ?? 'silent', component: 'test' });
  const deps: ActivityDeps = {
    kube,
    aiven: new AivenClient({ baseUrl: w.aiven.url, token: w.aiven.token }),
    projects: opts.projects ?? w.aiven.projects,
    mainProject: w.aiven.mainProject,
    log,
    caches: createCaches(),
  };
  const taskQueue = `aivenator-${opts.namespace}`;
  const nativeConnection = await NativeConnection.connect({ address: w.temporal.address });
  const worker = await createAivenatorWorker({
    connection: nativeConnection,
    namespace: w.temporal.namespace,
    taskQueue,
    activities: (opts.wrapActivities ?? ((a) => a))(createActivities(deps)),
    workflowBundle: { codePath: w.workflowBundlePath },
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: w.temporal.address });
  const client = new Client({ connection, namespace: w.temporal.namespace });
  let controller: AppController | undefined;
  if (opts.startController !== false) {
    controller = new AppController({ kube, signaler: new AppSignaler(client, taskQueue), log, namespace: opts.namespace, restartDelayMs: 200 });
    await controller.start();
  }
  return {
    client,
    taskQueue,
    controller,
    deps,
    async stop() {
      await controller?.stop();
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
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
