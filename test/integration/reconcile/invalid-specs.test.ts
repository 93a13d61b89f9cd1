// Specs Aivenator cannot act on end in a readable condition, with no retry
// storm and without touching Aiven more than needed.
import { stateQuery } from '../../../workflows';
import { appWorkflowId } from '../../../workflows/ids';
import { AivenApplicationCondition } from '../../../src/kube/aivenapp-types';
import type { Client } from '@temporalio/client';
import { AivenatorUnderTest, fakeAiven, startAivenator } from '../../env/aivenator';
import { PROGRESS_TEST_TIMEOUT_MS, actorProgress, untilDone } from '../../env/progress';
import { freshNamespace } from '../../env/world';
import { core, createApp, createInstance, getApp, secretOrUndefined, setInstanceState } from './fixtures';

// Waits fail when the actor stops moving (test/env/progress.ts), not on a clock.
jest.setTimeout(PROGRESS_TEST_TIMEOUT_MS);

async function failedCondition(client: Client, namespace: string, name: string): Promise<AivenApplicationCondition> {
  return untilDone(async () => {
    const app = await getApp(namespace, name);
    if (app.status?.synchronizationState !== 'RolloutFailed') return undefined;
    return app.status.conditions?.find((c) => (c.type === 'LocalFailure' || c.type === 'AivenFailure') && c.status === 'True');
  }, actorProgress(client, namespace, name), `${name} RolloutFailed`);
}

describe('invalid specs', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('invalid');
    aivenator = await startAivenator({ namespace });
  });
  afterAll(() => aivenator?.stop());

  it.each([
    ['a Secret name that is not a DNS label', 'bad-name', { kafka: { pool: 'dev-nais-dev', secretName: 'Not_A_Name' } }, 'InvalidSecretName', /secretName .*Not_A_Name|lowercase/],
    ['an empty Secret name', 'no-name', { kafka: { pool: 'dev-nais-dev' } }, 'InvalidSecretName', /secretName/],
    ['a pool that is not allowed', 'bad-pool', { kafka: { pool: 'someone-elses-pool', secretName: 'bad-pool-kafka' } }, 'PoolNotAllowed', /someone-elses-pool.*not one of the allowed pools/],
  ])('%s fails once with a LocalFailure and no Aiven call', async (_what, name, spec, reason, message) => {
    const requestsBefore = (await fakeAiven().getCounters()).total;
    await createApp(namespace, name, spec);
    const condition = await failedCondition(aivenator.client, namespace, name);
    // Go's reason (its operation), ours leading the message.
    expect(condition).toMatchObject({ type: 'LocalFailure', reason: 'CreateSecret' });
    expect(condition.message).toMatch(new RegExp(`^operation CreateSecret failed: ${reason}: `));
    expect(condition.message).toMatch(message);
    const app = await getApp(namespace, name);
    expect(app.status?.conditions?.find((c) => c.type === 'Succeeded')).toBeUndefined();
    // No retry storm: the actor waits for the next change.
    const handle = aivenator.client.workflow.getHandle(appWorkflowId(namespace, name));
    const passes = (await handle.query(stateQuery)).passes;
    await new Promise((r) => setTimeout(r, 3000));
    expect((await handle.query(stateQuery)).passes).toBe(passes);
    expect((await handle.query(stateQuery)).nextPassAt).toBeUndefined();
    expect((await fakeAiven().getCounters()).total).toBe(requestsBefore);
  });

  it('refuses to overwrite a Secret that Aivenator does not manage', async () => {
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'theirs' }, stringData: { KEEP: 'me' } } });
    await createApp(namespace, 'squatter', { kafka: { pool: 'dev-nais-dev', secretName: 'theirs' } });
    const condition = await failedCondition(aivenator.client, namespace, 'squatter');
    expect(condition).toMatchObject({ type: 'LocalFailure', reason: 'CreateSecret', message: expect.stringContaining('SyncKafka: ') });
    expect(condition.message).toMatch(/not managed by Aivenator/);
    const secret = (await secretOrUndefined(namespace, 'theirs'))!;
    expect(Object.keys(secret.data ?? {})).toEqual(['KEEP']);
  });

  it('reports a missing OpenSearch object as pending and retries on a timer', async () => {
    await createApp(namespace, 'no-search', { openSearch: { instance: 'nothere', secretName: 'no-search-os' } });
    const condition = await failedCondition(aivenator.client, namespace, 'no-search');
    expect(condition.type).toBe('LocalFailure');
    expect(condition.message).toMatch(new RegExp(`no aiven.io opensearches object named opensearch-${namespace}-nothere or nothere in namespace ${namespace}.*will retry`));
    const state = await aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'no-search')).query(stateQuery);
    expect(state.nextPassAt).toBeDefined();
    // The reference waits 100 s before looking again.
    expect(Date.parse(state.nextPassAt!) - Date.now()).toBeGreaterThan(60_000);
  });

  it('reports a Valkey object that is not RUNNING, then converges once it runs', async () => {
    const service = await createInstance(namespace, 'valkeys', 'slow', { state: 'REBUILDING' });
    await createApp(namespace, 'waits', { valkey: [{ instance: 'slow', secretName: 'waits-valkey' }] });
    const condition = await failedCondition(aivenator.client, namespace, 'waits');
    expect(condition.message).toMatch(new RegExp(`${service} is REBUILDING, not RUNNING`));
    await setInstanceState(namespace, 'valkeys', service, 'RUNNING');
    // An operator forces the next pass now instead of after the timer.
    await aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'waits')).signal('changed', { reason: 'test' });
    await untilDone(async () => ((await getApp(namespace, 'waits')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), actorProgress(aivenator.client, namespace, 'waits'), 'RolloutComplete');
    expect(await secretOrUndefined(namespace, 'waits-valkey')).toBeDefined();
  });
});
