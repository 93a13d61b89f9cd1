// A restarted controller lists every application. Converged ones whose actor
// is running are left alone (no pass, no write); an application whose actor is
// gone (e.g. taken over from another operator) still gets one.
import { stateQuery } from '../../../workflows';
import { appWorkflowId } from '../../../workflows/ids';
import { AppController } from '../../../src/controller/controller';
import { AppSignaler } from '../../../src/controller/signaler';
import { makeKubeClients } from '../../../src/kube/clients';
import { createLogger } from '../../../src/log';
import { AivenatorUnderTest, isConverged, startAivenator } from '../../env/aivenator';
import { PROGRESS_TEST_TIMEOUT_MS, actorProgress, untilDone } from '../../env/progress';
import { adminKubeConfig, freshNamespace } from '../../env/world';
import { createApp, getApp } from './fixtures';

// Waits fail when the actor stops moving (test/env/progress.ts), not on a clock.
jest.setTimeout(PROGRESS_TEST_TIMEOUT_MS);

describe('a restarted controller', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('restart');
    aivenator = await startAivenator({ namespace });
    await createApp(namespace, 'steady', { kafka: { pool: 'dev-nais-dev', secretName: 'steady-kafka' } });
    await untilDone(async () => (isConverged(await getApp(namespace, 'steady')) ? true : undefined), actorProgress(aivenator.client, namespace, 'steady'), 'steady converged');
  });
  afterAll(() => aivenator?.stop());

  /** A second controller over the same namespace, as after a restart: it lists and signals, then stops. */
  async function restartController(): Promise<void> {
    const controller = new AppController({
      kube: makeKubeClients(adminKubeConfig()),
      signaler: new AppSignaler(aivenator.client, aivenator.taskQueue),
      log: createLogger({ level: 'silent' }),
      namespace,
    });
    await controller.start();
    try {
      await controller.drained();
    } finally {
      await controller.stop();
    }
  }

  it('leaves the running actor of a converged application alone', async () => {
    const handle = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'steady'));
    const before = await handle.query(stateQuery);
    const { historyLength } = await handle.describe();
    const { resourceVersion } = (await getApp(namespace, 'steady')).metadata;
    await restartController();
    const after = await handle.query(stateQuery);
    expect(after.signals).toBe(before.signals);
    expect(after.passes).toBe(before.passes);
    expect((await handle.describe()).historyLength).toBe(historyLength);
    expect((await getApp(namespace, 'steady')).metadata.resourceVersion).toBe(resourceVersion);
  });

  it('starts an actor that is gone and lets it check the application', async () => {
    const handle = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'steady'));
    const { runId } = await handle.describe();
    await handle.terminate('test: the actor is gone');
    await restartController();
    const state = await untilDone(async () => {
      const d = await handle.describe();
      if (d.runId === runId || d.status.name !== 'RUNNING') return undefined;
      const s = await handle.query(stateQuery);
      return s.lastResult ? s : undefined;
    }, actorProgress(aivenator.client, namespace, 'steady'), 'a new actor with one pass');
    expect(state.lastResult?.outcome).toBe('up-to-date');
  });
});
