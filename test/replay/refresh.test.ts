// Records the histories test/replay/replay.test.ts replays: representative
// runs of every workflow against the real world. Skipped unless
// AIVENATOR_REFRESH_REPLAY=1 (scripts/refresh-replay-histories.sh runs it).
// Read test/replay/README.md before refreshing: never to make a failing
// replay pass.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowHandle } from '@temporalio/client';
import { historyToJson } from '../../src/cli/history-json';
import { AIVENAPP } from '../../src/kube/aivenapp-types';
import { mergePatch } from '../../src/kube/clients';
import { kafkaServiceUserName } from '../../src/naming/names';
import { janitorSweepWorkflow } from '../../workflows/janitor';
import { ActorState, stateQuery } from '../../workflows/application';
import { secretFinalizerWorkflowId } from '../../workflows/secret-finalizer';
import type { FinalizerState } from '../../workflows/secret-finalizer';
import { AivenatorUnderTest, eventually, fakeAiven, isConverged, startAivenator } from '../env/aivenator';
import { freshNamespace, world } from '../env/world';
import { createManagedSecret, deleteSecret, kafkaAnnotations, waitSecretGone } from '../integration/lifecycle/fixtures';
import { createApp, createInstance, custom, getApp, patchSpec, setInstanceState } from '../integration/reconcile/fixtures';

export const HISTORY_DIR = path.join(__dirname, 'histories');
const refresh = process.env.AIVENATOR_REFRESH_REPLAY === '1';

jest.setTimeout(300_000);

(refresh ? describe : describe.skip)('recording the replay histories', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  const pool = () => world().aiven.mainProject;
  const written: string[] = [];

  beforeAll(async () => {
    namespace = await freshNamespace('replay');
    await createInstance(namespace, 'opensearches', 'logs');
    await createInstance(namespace, 'valkeys', 'cache');
    await createInstance(namespace, 'valkeys', 'sessions', { replica: true });
    aivenator = await startAivenator({ namespace, replacedUserGraceMs: 2000 });
    fs.mkdirSync(HISTORY_DIR, { recursive: true });
    for (const f of fs.readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json'))) fs.rmSync(path.join(HISTORY_DIR, f));
  });
  afterAll(async () => {
    await fakeAiven().setKnobs({ operationFaults: { createServiceUser: null, deleteServiceUser: null } });
    await aivenator?.stop();
    process.stdout.write(`replay histories written:\n${written.map((f) => `  ${f}`).join('\n')}\n`);
  });

  /** Every run of the workflow, oldest first, as `<scenario>.json` (`<scenario>-<n>.json` for continued runs). */
  async function save(scenario: string, handle: WorkflowHandle, description: string): Promise<void> {
    const runs: { runId: string; history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> }[] = [];
    let runId: string | undefined = (await handle.describe()).runId;
    while (runId) {
      const history = await aivenator.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      runs.unshift({ runId, history });
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    }
    runs.forEach((run, i) => {
      const file = `${scenario}${runs.length > 1 ? `-${i + 1}` : ''}.json`;
      const body = { scenario, description, recordedAt: new Date().toISOString(), workflowId: handle.workflowId, runId: run.runId, history: historyToJson(run.history) };
      fs.writeFileSync(path.join(HISTORY_DIR, file), `${JSON.stringify(body, null, 1)}\n`);
      written.push(`${file} (${run.history.events?.length} events)`);
    });
  }

  const actor = (name: string) => aivenator.client.workflow.getHandle(`aivenapp/${namespace}/${name}`);

  async function idle(name: string, generation?: number): Promise<ActorState> {
    return eventually(async () => {
      const s = await actor(name).query<ActorState>(stateQuery);
      return s.pendingStep === undefined && s.lastResult !== undefined && (generation === undefined || s.lastResult.generation === generation) ? s : undefined;
    }, 60_000, `${name} idle`);
  }

  async function rolloutComplete(name: string, generation: number): Promise<void> {
    await eventually(async () => {
      const a = await getApp(namespace, name);
      return isConverged(a, generation) ? true : undefined;
    }, 60_000, `${name} at generation ${generation}`);
  }

  it('converge: Kafka, OpenSearch and two Valkey instances in one pass', async () => {
    await createApp(namespace, 'converge', {
      kafka: { pool: pool(), secretName: 'converge-kafka' },
      openSearch: { instance: 'logs', access: 'readwrite', secretName: 'converge-os' },
      valkey: [{ instance: 'cache', access: 'read', secretName: 'converge-cache' }, { instance: 'sessions', access: 'admin', secretName: 'converge-sessions' }],
    });
    await rolloutComplete('converge', 1);
    await idle('converge', 1);
    await save('converge', actor('converge'), 'an application with every kind of service converges in one pass; then a resync with nothing to do');
  });

  it('spec change: a kept Secret name (replaced user released after a grace period) and a renamed Secret (old one to the janitor)', async () => {
    await createApp(namespace, 'change', { kafka: { pool: pool(), secretName: 'change-kafka' }, valkey: [{ instance: 'cache', access: 'read', secretName: 'change-cache' }] });
    await rolloutComplete('change', 1);
    await idle('change', 1);
    await patchSpec(namespace, 'change', { kafka: { pool: pool(), secretName: 'change-kafka-v2' }, valkey: [{ instance: 'cache', access: 'readwrite', secretName: 'change-cache' }] });
    await rolloutComplete('change', 2);
    await idle('change', 2);
    // An annotation-only change: a pass that finds everything up to date.
    await custom.patchNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'change', body: { metadata: { annotations: { touched: 'yes' } } } }, mergePatch);
    await eventually(async () => ((await actor('change').query<ActorState>(stateQuery)).lastResult?.outcome === 'up-to-date' ? true : undefined), 30_000, 'up-to-date pass');
    await save('spec-change', actor('change'), 'generation 1, then generation 2 renaming the Kafka Secret and changing the Valkey access under the same Secret name, then an annotation-only change');
    const releases: string[] = [];
    for await (const wf of aivenator.client.workflow.list({ query: `WorkflowType = 'releaseServiceUsersWorkflow'` })) if (wf.workflowId.startsWith(`release-users/${namespace}/change/`)) releases.push(wf.workflowId);
    expect(releases).toHaveLength(1);
    const release = aivenator.client.workflow.getHandle(releases[0]);
    await release.result();
    await save('release-replaced-user', release, 'the child that releases the Valkey user replaced under a kept Secret name, after its grace period');
  });

  it('failure then success: Aiven 503 on every attempt of one pass, then a pass on the retry timer succeeds', async () => {
    await fakeAiven().setKnobs({ operationFaults: { createServiceUser: { status: 503, remaining: 5 } } });
    await createApp(namespace, 'flaky', { kafka: { pool: pool(), secretName: 'flaky-kafka' } });
    await eventually(async () => ((await getApp(namespace, 'flaky')).status?.synchronizationState === 'RolloutFailed' ? true : undefined), 60_000, 'RolloutFailed');
    await rolloutComplete('flaky', 1);
    await idle('flaky', 1);
    await save('failure-then-success', actor('flaky'), 'five attempts of the Kafka sync fail with 503, the pass fails (AivenFailure, will retry), the retry timer fires and the next pass succeeds');
  });

  it('waiting for an instance: not RUNNING (100 s timer), then a manual retry after it runs', async () => {
    const service = await createInstance(namespace, 'valkeys', 'slow', { state: 'REBUILDING' });
    await createApp(namespace, 'waits', { valkey: [{ instance: 'slow', secretName: 'waits-valkey' }] });
    await eventually(async () => ((await getApp(namespace, 'waits')).status?.synchronizationState === 'RolloutFailed' ? true : undefined), 30_000, 'RolloutFailed');
    await setInstanceState(namespace, 'valkeys', service, 'RUNNING');
    await actor('waits').signal('changed', { reason: 'ManualRetry' });
    await rolloutComplete('waits', 1);
    await idle('waits', 1);
    await save('instance-not-running', actor('waits'), 'a Valkey instance REBUILDING: the pass fails and waits 100 s; a ManualRetry signal after it runs converges');
  });

  it('compensation: a permanent failure after the user was created releases it', async () => {
    await createInstance(namespace, 'opensearches', 'perm');
    await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: { status: 400, message: 'invalid ACL rule' } } });
    try {
      await createApp(namespace, 'perm', { openSearch: { instance: 'perm', access: 'read', secretName: 'perm-os' } });
      await eventually(async () => ((await getApp(namespace, 'perm')).status?.synchronizationState === 'RolloutFailed' ? true : undefined), 30_000, 'RolloutFailed');
      await idle('perm', 1);
    } finally {
      await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: null } });
    }
    await save('permanent-failure-compensated', actor('perm'), 'Aiven refuses the OpenSearch ACL (400) after the user was created: the pass fails permanently and starts the release of that user');
  });

  it('finalization with retries: deleting the user fails twice, then the Secret is released', async () => {
    // A user the naming rules tie to this namespace and app: the finalizer deletes only such users (provenance).
    const username = kafkaServiceUserName(namespace, 'finalize-me', 1);
    const { AivenClient } = await import('../../src/aiven/client');
    await new AivenClient({ baseUrl: world().aiven.url, token: world().aiven.token }).createServiceUser(pool(), 'kafka', { username });
    const secret = await createManagedSecret(namespace, 'finalize-me', { annotations: kafkaAnnotations(username), labels: { app: 'finalize-me' } });
    await fakeAiven().setKnobs({ operationFaults: { deleteServiceUser: { status: 500, remaining: 2 } } });
    await deleteSecret(namespace, 'finalize-me');
    await waitSecretGone(namespace, 'finalize-me', 90_000);
    const handle = aivenator.client.workflow.getHandle(secretFinalizerWorkflowId(namespace, 'finalize-me', secret.metadata!.uid!));
    const result = (await handle.result()) as FinalizerState;
    expect(result.outcome).toBe('cleaned');
    await save('finalizer-retries', handle, 'a deleted managed Secret whose Kafka user deletion fails twice (HTTP 500) before it succeeds; then the finalizer is removed');
  });

  it('expiry: the durable timer deletes the application at expiresAt and the actor ends', async () => {
    const expiresAt = new Date(Math.ceil((Date.now() + 12_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    await createApp(namespace, 'expiring', { protected: true, expiresAt, kafka: { pool: pool(), secretName: 'expiring-kafka' } });
    await rolloutComplete('expiring', 1);
    const final = (await actor('expiring').result()) as ActorState;
    expect(final.lastResult?.outcome).toBe('expired');
    await save('expiry', actor('expiring'), 'a protected application with expiresAt 12 s ahead: converges, the timer fires, the application is deleted and the actor ends');
  });

  it('deletion: the actor ends when its application is deleted', async () => {
    await createApp(namespace, 'deleted', { valkey: [{ instance: 'cache', secretName: 'deleted-valkey' }] });
    await rolloutComplete('deleted', 1);
    await idle('deleted', 1);
    await custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'deleted' });
    await actor('deleted').result();
    await save('deleted', actor('deleted'), 'an application is deleted: the actor reads it, finds it gone and ends');
  });

  it('continue-as-new: an actor with a small history limit carries its state into new runs', async () => {
    const workflowId = `aivenapp/${namespace}/long`;
    const { aivenApplicationWorkflow } = await import('../../workflows');
    await aivenator.client.workflow.start(aivenApplicationWorkflow, { workflowId, taskQueue: aivenator.taskQueue, args: [{ namespace, name: 'long', historyLimit: 40 }] });
    await createApp(namespace, 'long', { kafka: { pool: pool(), secretName: 'long-kafka' } });
    for (let g = 2; g <= 3; g++) {
      await rolloutComplete('long', g - 1);
      await patchSpec(namespace, 'long', { kafka: { pool: pool(), secretName: `long-kafka-${g}` } });
    }
    await rolloutComplete('long', 3);
    await idle('long', 3);
    await save('continue-as-new', aivenator.client.workflow.getHandle(workflowId), 'three generations with historyLimit 40: the actor continues as new, carrying its state');
  });

  it('janitor sweep: the scheduled whole-namespace sweep', async () => {
    await createManagedSecret(namespace, 'nobody-uses-me');
    const handle = await aivenator.client.workflow.start(janitorSweepWorkflow, { workflowId: `janitor-sweep/${namespace}/replay`, taskQueue: aivenator.taskQueue, args: [{ namespace }] });
    await handle.result();
    await save('janitor-sweep', handle, 'a namespace sweep that deletes an unused managed Secret');
  });
});
