// The janitor over the worker's informer caches, against the real apiserver:
// a cache that has not yet seen a new Pod never leads to the deletion of the
// Secret that Pod uses (the live confirmation keeps it); many per-app passes
// at once share one live confirmation per namespace; and what it all costs in
// apiserver requests, next to the live-listing janitor it replaces.
import * as k8s from '@kubernetes/client-node';
import { createActivities } from '../../../activities';
import type { KubeCaches } from '../../../src/kube/cache/kube-caches';
import { AivenatorUnderTest, eventually, startAivenator } from '../../env/aivenator';
import { adminKubeConfig, freshNamespace } from '../../env/world';
import { core, secretOrUndefined } from '../reconcile/fixtures';
import { createManagedSecret } from '../lifecycle/fixtures';
import { byVerb, requestsDuring } from './apiserver-requests';

const apps = adminKubeConfig().makeApiClient(k8s.AppsV1Api);
const N = 20;

describe('the janitor over the worker\'s caches', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  let caches: KubeCaches;

  beforeAll(async () => {
    namespace = await freshNamespace('jcache');
    aivenator = await startAivenator({ namespace, startController: false });
    caches = aivenator.deps.kubeCaches!;
    expect(await caches.waitForSync(60_000)).toBe(true);
  });
  afterAll(() => aivenator?.stop());

  const cached = () => createActivities(aivenator.deps);
  const live = () => createActivities({ ...aivenator.deps, kubeCaches: undefined });
  const seen = (name: string) => eventually(async () => (caches.managedSecrets(namespace).some((s) => s.metadata.name === name) ? true : undefined), 30_000, `the cache to see ${name}`);

  it('keeps a Secret that a Pod the cache has not yet seen uses, and deletes it once that Pod is gone', async () => {
    await createManagedSecret(namespace, 'needed-by-new-pod', { finalizer: false });
    await seen('needed-by-new-pod');
    const pods = caches.cacheOf('Pod')!;
    pods.lag(true);
    try {
      await core.createNamespacedPod({
        namespace,
        body: { metadata: { name: 'new-pod' }, spec: { containers: [{ name: 'app', image: 'example.com/app:1', envFrom: [{ secretRef: { name: 'needed-by-new-pod' } }] }] } },
      });
      // The cache really is behind: by itself it would call the Secret unused.
      expect(caches.isSynced()).toBe(true);
      expect(caches.usage(namespace).usedBy(namespace, 'needed-by-new-pod')).toBeUndefined();
      const runs = caches.confirmationRuns;

      const result = await cached().janitorSweep({ namespace });
      expect(result.skipped).toBeUndefined();
      expect(result.deleted).toEqual([]);
      expect(result.kept.in_use).toBe(1);
      expect(caches.confirmationRuns).toBe(runs + 1);
      expect(await secretOrUndefined(namespace, 'needed-by-new-pod')).toBeDefined();
    } finally {
      pods.lag(false);
    }
    await eventually(async () => (caches.usage(namespace).usedBy(namespace, 'needed-by-new-pod') ? true : undefined), 30_000, 'the Pod cache to catch up');
    // Now the cache alone says "in use": no live read at all.
    const runs = caches.confirmationRuns;
    expect((await cached().janitorSweep({ namespace })).kept.in_use).toBe(1);
    expect(caches.confirmationRuns).toBe(runs);

    await core.deleteNamespacedPod({ namespace, name: 'new-pod', gracePeriodSeconds: 0 });
    await eventually(async () => (caches.usage(namespace).usedBy(namespace, 'needed-by-new-pod') ? undefined : true), 30_000, 'the Pod cache to see the Pod gone');
    const after = await cached().janitorSweep({ namespace });
    expect(after.deleted).toEqual([`${namespace}/needed-by-new-pod`]);
  });

  it(`answers ${N} per-app passes with nothing to delete from memory, and folds ${N} that delete into one live read`, async () => {
    const names = Array.from({ length: N }, (_, i) => `burst-${i}`);
    for (const name of names) await createManagedSecret(namespace, `${name}-kafka`, { finalizer: false, labels: { app: name } });
    // One Deployment uses them all.
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'uses-all' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'uses-all' } },
          template: { metadata: { labels: { app: 'uses-all' } }, spec: { containers: [{ name: 'app', image: 'example.com/app:1', envFrom: names.map((n) => ({ secretRef: { name: `${n}-kafka` } })) }] } },
        },
      },
    });
    for (const name of names) await seen(`${name}-kafka`);
    await eventually(async () => (caches.usage(namespace).usedBy(namespace, `${names[N - 1]}-kafka`) ? true : undefined), 30_000, 'the Deployment cache to see the Deployment');

    const passes = (activities: ReturnType<typeof cached>) => Promise.all(names.map((name) => activities.janitorSweep({ app: { namespace, name } })));
    const liveSteady = await requestsDuring(() => passes(live()));
    let runs = caches.confirmationRuns;
    const cachedSteady = await requestsDuring(async () => {
      const results = await passes(cached());
      expect(results.every((r) => r.kept.in_use === 1 && r.deletedCount === 0)).toBe(true);
    });
    expect(caches.confirmationRuns).toBe(runs);
    expect(cachedSteady['LIST pods'] ?? 0).toBeLessThan(liveSteady['LIST pods']);

    // The Deployment goes: every Secret is now unused, and N passes finish at once.
    await apps.deleteNamespacedDeployment({ namespace, name: 'uses-all' });
    await eventually(async () => (caches.usage(namespace).usedBy(namespace, `${names[0]}-kafka`) ? undefined : true), 30_000, 'the cache to see the Deployment gone');
    runs = caches.confirmationRuns;
    const cachedBurst = await requestsDuring(async () => {
      const results = await passes(cached());
      expect(results.map((r) => r.deleted).flat().sort()).toEqual(names.map((n) => `${namespace}/${n}-kafka`).sort());
    });
    expect(caches.confirmationRuns).toBe(runs + 1);

    // The same burst, listed live per pass as before the caches.
    for (const name of names) await createManagedSecret(namespace, `${name}-kafka`, { finalizer: false, labels: { app: name } });
    const liveBurst = await requestsDuring(async () => {
      const results = await passes(live());
      expect(results.reduce((n, r) => n + r.deletedCount, 0)).toBe(N);
    });
    expect(cachedBurst['LIST pods']).toBeLessThan(liveBurst['LIST pods']);

    const figures = { N, liveSteady: byVerb(liveSteady), cachedSteady: byVerb(cachedSteady), liveBurst: byVerb(liveBurst), cachedBurst: byVerb(cachedBurst), detail: { liveSteady, cachedSteady, liveBurst, cachedBurst } };
    process.stdout.write(`\njanitor apiserver requests: ${JSON.stringify(figures)}\n`);
  });
});
