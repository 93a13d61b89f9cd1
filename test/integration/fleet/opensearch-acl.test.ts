// OpenSearch ACL changes of one service are serialised across worker replicas:
// two worker processes, many applications granting users on one service at
// once, with Aiven slow enough that unserialised GET-edit-PUT cycles overlap.
// Every user must end with its entry; a revoke (Secret deleted) goes through
// the same actor.
import { Client, Connection } from '@temporalio/client';
import { AIVENAPP, AivenApplication } from '../../../src/kube/aivenapp-types';
import { openSearchAclWorkflowId } from '../../../workflows/opensearch-acl';
import { fakeAiven, isConverged } from '../../env/aivenator';
import { AivenatorProcess, buildCli } from '../../env/processes';
import { freshNamespace, world } from '../../env/world';
import { core, createApp, createInstance, custom } from '../reconcile/fixtures';

const APPS = 16;

/** Waits until `count()` reaches `target`, failing only when it has not moved for `stallMs`. */
async function untilProgressReaches(count: () => Promise<number>, target: number, what: string, stallMs = 120_000): Promise<void> {
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const now = await count();
    if (now >= target) return;
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what}: stuck at ${now}/${target} for ${stallMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('OpenSearch ACL changes across worker replicas', () => {
  let namespace: string;
  const processes: AivenatorProcess[] = [];
  let connection: Connection;

  beforeAll(async () => {
    buildCli();
    namespace = await freshNamespace('acl');
    const taskQueue = `aivenator-${namespace}`;
    processes.push(
      new AivenatorProcess({ mode: 'worker', name: `${namespace}-worker-a`, taskQueue, logLevel: 'debug' }),
      new AivenatorProcess({ mode: 'worker', name: `${namespace}-worker-b`, taskQueue, logLevel: 'debug' }),
      new AivenatorProcess({ mode: 'controller', name: `${namespace}-controller`, taskQueue, watchNamespace: namespace, logLevel: 'debug' }),
    );
    for (const p of processes) await p.start();
    for (const p of processes) await p.ready();
    connection = await Connection.connect({ address: world().temporal.address });
  }, 180_000);

  afterAll(async () => {
    await fakeAiven().setKnobs({ latencyMs: 0 });
    await Promise.all(processes.map((p) => p.stop()));
    await connection?.close();
  });

  it(`keeps every entry when ${APPS} applications grant users on one service at once`, async () => {
    const service = await createInstance(namespace, 'opensearches', 'logs');
    const project = world().aiven.mainProject;
    // Slow Aiven: each GET-edit-PUT takes long enough for concurrent ones to overlap.
    await fakeAiven().setKnobs({ latencyMs: 150 });
    await Promise.all(
      Array.from({ length: APPS }, (_, i) => createApp(namespace, `app-${i}`, { openSearch: { instance: 'logs', access: i % 2 ? 'read' : 'readwrite', secretName: `app-${i}-os` } })),
    );
    const converged = async () => {
      const list = (await custom.listNamespacedCustomObject({ ...AIVENAPP, namespace })) as { items: AivenApplication[] };
      return list.items.filter((a) => isConverged(a)).length;
    };
    await untilProgressReaches(converged, APPS, 'applications converged');
    await fakeAiven().setKnobs({ latencyMs: 0 });

    const users = await Promise.all(
      Array.from({ length: APPS }, async (_, i) => (await core.readNamespacedSecret({ namespace, name: `app-${i}-os` })).metadata!.annotations!['opensearch.aiven.nais.io/serviceUser']),
    );
    const acl = await fakeAiven().getOpenSearchAcl(project, service);
    const withEntry = new Set((acl.acls ?? []).map((e) => e.username));
    expect(users.filter((u) => !withEntry.has(u))).toEqual([]);

    // Both replicas did sync work, so the changes really came from two processes.
    const synced = processes.slice(0, 2).map((p) => p.tail(100_000).split('\n').filter((l) => l.includes('syncOpenSearchSecret')).length);
    expect(synced.every((n) => n > 0)).toBe(true);

    // The service's actor applied at least one change per user, one at a time.
    const description = await new Client({ connection, namespace: world().temporal.namespace }).workflow.getHandle(openSearchAclWorkflowId(project, service)).describe();
    expect(description.type).toBe('openSearchAclWorkflow');

    // A deleted Secret's revoke goes through the same actor: its entry goes, the others stay.
    // The application goes first: while a spec names the Secret, it is written again at once.
    await custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'app-0' });
    await core.deleteNamespacedSecret({ namespace, name: 'app-0-os' });
    await untilProgressReaches(async () => ((await fakeAiven().getOpenSearchAcl(project, service)).acls ?? []).some((e) => e.username === users[0]) ? 0 : 1, 1, 'ACL entry of the deleted Secret removed');
    const after = new Set(((await fakeAiven().getOpenSearchAcl(project, service)).acls ?? []).map((e) => e.username));
    expect(users.slice(1).filter((u) => !after.has(u))).toEqual([]);
  }, 600_000);
});
