// Protected and expiring applications: `protected` and `expiresAt` reach the
// Secret's labels and annotations, and the actor's durable timer deletes the
// application at `expiresAt` (not at some later reconcile), even when the worker
// was restarted in between. Its Secrets are left to the janitor.
import { ActorState, stateQuery } from '../../../workflows/application';
import { AivenatorUnderTest, eventually, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { appEvents, createApp, custom, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { isKubeError } from '../../../src/kube/clients';
import { actorIdle } from './fixtures';

describe('an application with expiresAt', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('expiry');
    aivenator = await startAivenator({ namespace });
  });
  afterAll(() => aivenator?.stop());

  it('is deleted within a few seconds of expiresAt, across a worker restart', async () => {
    // Whole seconds, as RFC3339 in the CRD; ~20 s ahead.
    const expiresAt = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000);
    const expiresAtText = expiresAt.toISOString().replace('.000Z', 'Z');
    await createApp(namespace, 'short-lived', { protected: true, expiresAt: expiresAtText, kafka: { pool: world().aiven.mainProject, secretName: 'short-lived-kafka' } });
    await eventually(async () => ((await getApp(namespace, 'short-lived')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 30_000, 'RolloutComplete');

    const secret = (await secretOrUndefined(namespace, 'short-lived-kafka'))!;
    expect(secret.metadata?.labels?.['aivenator.aiven.nais.io/protected']).toBe('true');
    expect(secret.metadata?.annotations).toMatchObject({
      'aivenator.aiven.nais.io/protected': 'true',
      'aivenator.aiven.nais.io/with-time-limit': 'true',
      'aivenator.aiven.nais.io/expires-at': expiresAtText,
    });
    const actor = aivenator.client.workflow.getHandle(`aivenapp/${namespace}/short-lived`);
    expect((await actor.query<ActorState>(stateQuery)).nextPassAt).toBe(expiresAt.toISOString());

    // A new worker process (same task queue) takes over the actor and its timer.
    await aivenator.restartWorker();
    expect(Date.now()).toBeLessThan(expiresAt.getTime() - 2000);

    const deletedAt = await eventually(async () => {
      try {
        await custom.getNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'short-lived' });
        return undefined;
      } catch (err) {
        if (isKubeError(err, 404)) return Date.now();
        throw err;
      }
    }, 40_000, 'the application to be deleted');
    const lateBy = deletedAt - expiresAt.getTime();
    process.stdout.write(`expired application deleted ${lateBy} ms after expiresAt\n`);
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThan(5000);

    expect((await appEvents(namespace, 'short-lived')).map((e) => e.reason)).toContain('Expired');
    const final = await actor.result();
    expect(final.lastResult?.outcome).toBe('expired');
    // The actor ends cleanly; the Secret stays for the janitor (protected until expires-at, which has now passed).
    expect(await secretOrUndefined(namespace, 'short-lived-kafka')).toBeDefined();
  });

  it('ends the actor when the application is deleted, leaving its Secrets to the janitor', async () => {
    await createApp(namespace, 'deleted-app', { kafka: { pool: world().aiven.mainProject, secretName: 'deleted-app-kafka' } });
    await eventually(async () => ((await getApp(namespace, 'deleted-app')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 30_000, 'RolloutComplete');
    await actorIdle(aivenator.client, namespace, 'deleted-app');
    await custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'deleted-app' });
    const actor = aivenator.client.workflow.getHandle(`aivenapp/${namespace}/deleted-app`);
    const final = (await actor.result()) as ActorState;
    expect(final.lastResult?.outcome).toBe('deleted');
    expect(await secretOrUndefined(namespace, 'deleted-app-kafka')).toBeDefined();
  });
});
