// What a restart of Aivenator (worker + controller) over N unchanged, converged
// applications costs in apiserver requests, with the janitor listing live (as
// before the caches) and over the worker's caches. Figures, printed; the
// assertion is only that the caches cost fewer LISTs.
import { Client, Connection } from '@temporalio/client';
import { ActorState, stateQuery } from '../../../workflows/application';
import { appWorkflowId } from '../../../workflows/ids';
import { eventually, isConverged, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { createApp, getApp } from '../reconcile/fixtures';
import { RequestCounts, byVerb, requestsDuring } from './apiserver-requests';

const N = 20;

describe('a restart over unchanged applications', () => {
  it(`costs fewer apiserver requests with the caches (${N} applications)`, async () => {
    const namespace = await freshNamespace('restart');
    const names = Array.from({ length: N }, (_, i) => `app-${i}`);
    const connection = await Connection.connect({ address: world().temporal.address });
    const client = new Client({ connection, namespace: world().temporal.namespace });
    // Queries need a running worker: the pass counts are read while one runs.
    const passes = async () => Promise.all(names.map(async (name) => (await client.workflow.getHandle(appWorkflowId(namespace, name)).query<ActorState>(stateQuery)).passes));
    const first = await startAivenator({ namespace });
    let before: number[];
    try {
      for (const name of names) await createApp(namespace, name, { kafka: { pool: world().aiven.mainProject, secretName: `${name}-kafka` } });
      for (const name of names) await eventually(async () => (isConverged(await getApp(namespace, name)) ? true : undefined), 180_000, `${name} to converge`);
      before = await passes();
    } finally {
      await first.stop();
    }
    const restart = async (kubeCaches: boolean): Promise<RequestCounts> =>
      requestsDuring(async () => {
        const aivenator = await startAivenator({ namespace, kubeCaches });
        try {
          // Every actor has run the pass the controller's start asked for.
          before = await eventually(async () => {
            const now = await passes();
            return now.every((n, i) => n > before[i]) ? now : undefined;
          }, 180_000, 'a pass of every actor');
          await aivenator.controller!.drained();
        } finally {
          await aivenator.stop();
        }
      });
    try {
      const live = await restart(false);
      const cached = await restart(true);
      process.stdout.write(`\nrestart over ${N} converged apps, apiserver requests: ${JSON.stringify({ live: byVerb(live), cached: byVerb(cached), detail: { live, cached } })}\n`);
      expect(byVerb(cached).LIST).toBeLessThan(byVerb(live).LIST);
    } finally {
      await connection.close();
    }
  }, 900_000);
});
