// Go's NeedsSynchronization looks at every named Secret, also kafka.secretName
// when the pool is empty (its Kafka handler then does nothing): a missing one
// means a sync (reason MissingSecret) at every reconcile, not "up to date".
import { stateQuery } from '../../../workflows';
import { appWorkflowId } from '../../../workflows/ids';
import { AivenatorUnderTest, eventually, startAivenator } from '../../env/aivenator';
import { freshNamespace } from '../../env/world';
import { appEvents, createApp, custom, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { mergePatch } from '../../../src/kube/clients';

describe('edge cases of the reference', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  beforeAll(async () => {
    namespace = await freshNamespace('edge');
    aivenator = await startAivenator({ namespace });
  });
  afterAll(() => aivenator?.stop());

  it('checks kafka.secretName without a pool when deciding whether to sync (edge case 7)', async () => {
    await createApp(namespace, 'poolless', { kafka: { pool: '', secretName: 'poolless-kafka' } });
    await eventually(async () => ((await getApp(namespace, 'poolless')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 30_000, 'first pass');
    const handle = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'poolless'));
    const first = await eventually(async () => {
      const st = await handle.query(stateQuery);
      return st.lastResult && !st.pendingStep ? st : undefined;
    }, 30_000, 'first pass recorded');
    // A label change is a reconcile: the Secret is still missing, so Go syncs again (its Kafka handler writes nothing).
    await custom.patchNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'poolless', body: { metadata: { labels: { touched: 'yes' } } } }, mergePatch);
    const state = await eventually(async () => {
      const st = await handle.query(stateQuery);
      return st.passes > first.passes && st.lastResult && st.lastResult.at !== first.lastResult!.at ? st : undefined;
    }, 30_000, 'second pass');
    expect(state.lastResult).toMatchObject({ outcome: 'synced', reason: 'MissingSecret' });
    expect(await secretOrUndefined(namespace, 'poolless-kafka')).toBeUndefined();
    expect((await appEvents(namespace, 'poolless')).map((e) => e.reason)).toContain('MissingSecret');
  });
});
