// How an application's actor reacts to changes: a new generation, a resync
// with nothing to do, a missing Secret, and a burst of updates.
import type { AivenatorActivities } from '../../../activities/types';
import { stateQuery } from '../../../workflows';
import { appWorkflowId } from '../../../workflows/ids';
import type { Client } from '@temporalio/client';
import { AivenatorUnderTest, fakeAiven, isConverged, startAivenator } from '../../env/aivenator';
import { PROGRESS_TEST_TIMEOUT_MS, actorProgress, untilDone } from '../../env/progress';
import { freshNamespace, world } from '../../env/world';
import { core, createApp, createInstance, custom, decoded, getApp, patchSpec, secretOrUndefined } from './fixtures';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { mergePatch } from '../../../src/kube/clients';

// Waits fail when the actor stops moving (test/env/progress.ts), not on a clock.
jest.setTimeout(PROGRESS_TEST_TIMEOUT_MS);

const AIVEN_WRITES = ['createServiceUser', 'modifyServiceUser', 'resetServiceUserCredentials', 'deleteServiceUser', 'updateOpenSearchAcl', 'setOpenSearchAcl'];

async function aivenWrites(): Promise<number> {
  const counters = await fakeAiven().getCounters();
  const byOperation = counters.byOperation as Record<string, number | undefined>;
  return AIVEN_WRITES.reduce((sum, op) => sum + (byOperation[op] ?? 0), 0);
}

async function synced(client: Client, namespace: string, name: string, generation: number) {
  return untilDone(async () => {
    const app = await getApp(namespace, name);
    return isConverged(app, generation) ? app : undefined;
  }, actorProgress(client, namespace, name), `${name} synchronized at generation ${generation}`);
}

async function touchAnnotation(namespace: string, name: string, value: string) {
  await custom.patchNamespacedCustomObject({ ...AIVENAPP, namespace, name, body: { metadata: { annotations: { 'test/touch': value } } } }, mergePatch);
}

describe('the application actor', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  /** Pass-level activities in flight per application, and the most ever seen at once. */
  const inFlight = new Map<string, number>();
  let maxInFlight = 0;

  function track(acts: AivenatorActivities): AivenatorActivities {
    const wrap = <A extends unknown[], R>(key: (...args: A) => string, fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      const k = key(...args);
      inFlight.set(k, (inFlight.get(k) ?? 0) + 1);
      maxInFlight = Math.max(maxInFlight, inFlight.get(k)!);
      try {
        return await fn(...args);
      } finally {
        inFlight.set(k, inFlight.get(k)! - 1);
      }
    };
    return {
      ...acts,
      loadApplication: wrap((ref) => `${ref.namespace}/${ref.name}`, acts.loadApplication),
      syncKafkaSecret: wrap((i) => `${i.app.namespace}/${i.app.name}`, acts.syncKafkaSecret),
      syncValkeySecret: wrap((i) => `${i.app.namespace}/${i.app.name}`, acts.syncValkeySecret),
      finishPass: wrap((i) => `${i.app.namespace}/${i.app.name}`, acts.finishPass),
    };
  }

  beforeAll(async () => {
    namespace = await freshNamespace('actor');
    await createInstance(namespace, 'valkeys', 'cache');
    aivenator = await startAivenator({ namespace, wrapActivities: track });
  });
  afterAll(() => aivenator?.stop());

  it('creates new users and updates the Secrets for a new generation', async () => {
    await createApp(namespace, 'gen', { kafka: { pool: 'dev-nais-dev', secretName: 'gen-kafka' }, valkey: [{ instance: 'cache', secretName: 'gen-cache' }] });
    await synced(aivenator.client, namespace, 'gen', 1);
    const before = decoded((await secretOrUndefined(namespace, 'gen-kafka'))!);

    await patchSpec(namespace, 'gen', { valkey: [{ instance: 'cache', access: 'readwrite', secretName: 'gen-cache' }] });
    await synced(aivenator.client, namespace, 'gen', 2);
    const after = decoded((await secretOrUndefined(namespace, 'gen-kafka'))!);
    expect(after.KAFKA_SCHEMA_REGISTRY_USER.toString()).not.toBe(before.KAFKA_SCHEMA_REGISTRY_USER.toString());
    expect(after.KAFKA_CERTIFICATE.toString()).not.toBe(before.KAFKA_CERTIFICATE.toString());
    const cache = decoded((await secretOrUndefined(namespace, 'gen-cache'))!);
    expect(cache.VALKEY_USERNAME_CACHE.toString()).toMatch(/^gen-rw-...$/);
    const users = (await fakeAiven().listUsers(world().aiven.mainProject, `valkey-${namespace}-cache`)).map((u) => u.username);
    expect(users).toContain(cache.VALKEY_USERNAME_CACHE.toString());
  });

  it('resyncs an unchanged application without any Aiven write', async () => {
    const app = await getApp(namespace, 'gen');
    const handle = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'gen'));
    const passesBefore = (await handle.query(stateQuery)).passes;
    const writesBefore = await aivenWrites();
    await touchAnnotation(namespace, 'gen', 'resync');
    await untilDone(async () => ((await handle.query(stateQuery)).passes > passesBefore ? true : undefined), actorProgress(aivenator.client, namespace, 'gen'), 'another pass');
    await untilDone(async () => ((await handle.query(stateQuery)).lastResult?.outcome === 'up-to-date' ? true : undefined), actorProgress(aivenator.client, namespace, 'gen'), 'up-to-date');
    expect(await aivenWrites()).toBe(writesBefore);
    expect((await getApp(namespace, 'gen')).status?.synchronizationHash).toBe(app.status?.synchronizationHash);
  });

  it('recreates a named Secret that was deleted', async () => {
    // The finalizer is removed by hand here: this test is about the actor noticing the missing Secret.
    await core.patchNamespacedSecret({ namespace, name: 'gen-cache', body: { metadata: { finalizers: null } } }, mergePatch);
    const before = await secretOrUndefined(namespace, 'gen-cache');
    await core.deleteNamespacedSecret({ namespace, name: 'gen-cache' });
    // No change to the application: the controller sees the deletion and the actor rewrites the Secret at once.
    const secret = await untilDone(async () => {
      const now = await secretOrUndefined(namespace, 'gen-cache');
      return now && now.metadata?.uid !== before?.metadata?.uid ? now : undefined;
    }, actorProgress(aivenator.client, namespace, 'gen'), 'Secret recreated');
    expect(Object.keys(secret.data ?? {})).toContain('VALKEY_PASSWORD_CACHE');
    const handle = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'gen'));
    await untilDone(async () => ((await handle.query(stateQuery)).lastResult?.reason === 'MissingSecret' ? true : undefined), actorProgress(aivenator.client, namespace, 'gen'), 'MissingSecret pass');
  });

  it('folds a burst of 20 updates into far fewer passes, never two at once', async () => {
    await createApp(namespace, 'burst', { kafka: { pool: 'dev-nais-dev', secretName: 'burst-kafka' } });
    await synced(aivenator.client, namespace, 'burst', 1);
    const handle = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'burst'));
    const before = await handle.query(stateQuery);
    maxInFlight = 0;
    for (let i = 0; i < 20; i++) {
      // Every third update is a spec change (a new generation), the rest touch an annotation.
      if (i % 3 === 0) await patchSpec(namespace, 'burst', { kafka: { pool: 'dev-nais-dev', secretName: `burst-kafka-${i}` } });
      else await touchAnnotation(namespace, 'burst', String(i));
    }
    const generation = (await getApp(namespace, 'burst')).metadata.generation!;
    await synced(aivenator.client, namespace, 'burst', generation);
    await untilDone(async () => ((await handle.query(stateQuery)).pendingStep === undefined ? true : undefined), actorProgress(aivenator.client, namespace, 'burst'), 'idle actor');
    const after = await handle.query(stateQuery);
    // The controller's queue and the actor both fold events: 20 updates, a handful of passes.
    const passes = after.passes - before.passes;
    expect(passes).toBeGreaterThanOrEqual(1);
    expect(passes).toBeLessThanOrEqual(8);
    expect(maxInFlight).toBe(1);
    expect((await secretOrUndefined(namespace, 'burst-kafka-18'))?.data?.KAFKA_CERTIFICATE).toBeDefined();
  });
});
