// The actor keeps its history bounded with continue-as-new, carrying its
// state, and stays one actor when several controllers watch the same cluster.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { aivenApplicationWorkflow, stateQuery } from '../../../workflows';
import { appWorkflowId } from '../../../workflows/ids';
import { AppController } from '../../../src/controller/controller';
import { AppSignaler } from '../../../src/controller/signaler';
import { makeKubeClients } from '../../../src/kube/clients';
import { createLogger } from '../../../src/log';
import { AivenatorUnderTest, startAivenator } from '../../env/aivenator';
import { PROGRESS_TEST_TIMEOUT_MS, actorProgress, untilDone } from '../../env/progress';
import { adminKubeConfig, freshNamespace } from '../../env/world';
import { createApp, getApp, patchSpec } from './fixtures';

// Waits fail when the actor stops moving (test/env/progress.ts), not on a clock.
jest.setTimeout(PROGRESS_TEST_TIMEOUT_MS);

describe('actor runs', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('runs');
    aivenator = await startAivenator({ namespace });
  });
  afterAll(() => aivenator?.stop());

  it('continues as new when its history grows, keeping its state', async () => {
    const workflowId = appWorkflowId(namespace, 'long');
    // Started by hand with a tiny history limit, waiting for a signal (a pass now would find no
    // application and end the actor); the controller's signals then reach this run.
    await aivenator.client.workflow.start(aivenApplicationWorkflow, {
      workflowId, taskQueue: aivenator.taskQueue, args: [{ namespace, name: 'long', historyLimit: 40, pendingPass: false }],
    }).catch((err) => { if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; });
    await createApp(namespace, 'long', { kafka: { pool: 'dev-nais-dev', secretName: 'long-kafka' } });
    const firstRun = (await aivenator.client.workflow.getHandle(workflowId).describe()).runId;
    for (let i = 0; i <= 4; i++) {
      if (i > 0) await patchSpec(namespace, 'long', { kafka: { pool: 'dev-nais-dev', secretName: `long-kafka-${i}` } });
      await untilDone(async () => ((await getApp(namespace, 'long')).status?.synchronizedGeneration === i + 1 ? true : undefined), actorProgress(aivenator.client, namespace, 'long'), `generation ${i + 1}`);
    }
    const handle = aivenator.client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    expect(description.runId).not.toBe(firstRun);
    expect(description.historyLength).toBeLessThan(80);
    const state = await handle.query(stateQuery);
    expect(state.passes).toBeGreaterThanOrEqual(5);
    expect(state.generation).toBe(5);
  });

  it('is one actor however many controllers signal it', async () => {
    const kube = makeKubeClients(adminKubeConfig());
    const log = createLogger({ level: 'silent' });
    const second = new AppController({ kube, signaler: new AppSignaler(aivenator.client, aivenator.taskQueue), log, namespace });
    await second.start();
    try {
      await createApp(namespace, 'twice', { kafka: { pool: 'dev-nais-dev', secretName: 'twice-kafka' } });
      await untilDone(async () => ((await getApp(namespace, 'twice')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), actorProgress(aivenator.client, namespace, 'twice'), 'converged');
      await second.drained();
      await aivenator.controller!.drained();
      const runs = [];
      for await (const run of aivenator.client.workflow.list({ query: `WorkflowId = '${appWorkflowId(namespace, 'twice')}'` })) runs.push(run);
      expect(runs).toHaveLength(1);
      const state = await aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'twice')).query(stateQuery);
      expect(state.signals).toBe(2);
      expect(state.passes).toBeLessThanOrEqual(2);
    } finally {
      await second.stop();
    }
  });
});
