// What a restart of Aivenator (worker + controller) over N unchanged, converged
// applications costs the apiserver: the controller leaves their running actors
// alone (no pass), and the worker's caches list each kind once, so the LISTs do
// not grow with N and nothing is written. Figures printed.
import { eventually, isConverged, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { createApp, getApp } from '../reconcile/fixtures';
import { byVerb, requestsDuring } from './apiserver-requests';

const N = 20;

describe('a restart over unchanged applications', () => {
  it(`costs no write and LISTs that do not grow with the applications (${N} applications)`, async () => {
    const namespace = await freshNamespace('restart');
    const names = Array.from({ length: N }, (_, i) => `app-${i}`);
    const first = await startAivenator({ namespace });
    try {
      for (const name of names) await createApp(namespace, name, { kafka: { pool: world().aiven.mainProject, secretName: `${name}-kafka` } });
      for (const name of names) await eventually(async () => (isConverged(await getApp(namespace, name)) ? true : undefined), 180_000, `${name} to converge`);
    } finally {
      await first.stop();
    }
    const cost = await requestsDuring(async () => {
      const aivenator = await startAivenator({ namespace });
      try {
        await aivenator.controller!.drained();
      } finally {
        await aivenator.stop();
      }
    });
    const verbs = byVerb(cost);
    process.stdout.write(`\nrestart over ${N} converged apps, apiserver requests: ${JSON.stringify({ verbs, detail: cost })}\n`);
    // One LIST per cache and watch, whatever N is; no write at all.
    expect(verbs.LIST ?? 0).toBeLessThan(N);
    expect({ PATCH: verbs.PATCH ?? 0, POST: verbs.POST ?? 0, PUT: verbs.PUT ?? 0, DELETE: verbs.DELETE ?? 0 }).toEqual({ PATCH: 0, POST: 0, PUT: 0, DELETE: 0 });
  }, 900_000);
});
