// Loads what the Go aivenator left behind (../shared/fixtures/go-aivenator,
// see its README) into the test world: namespaces, the aiven.io instances
// (RUNNING), the Secrets and AivenApplications exactly as Go wrote them (status
// through the status subresource), and the fake Aiven's users of those names.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { AivenClient } from '../../../src/aiven/client';
import { AIVENAPP, AivenApplication } from '../../../src/kube/aivenapp-types';
import { fakeAiven } from '../../env/aivenator';
import { world } from '../../env/world';
import { core, custom, setInstanceState } from '../reconcile/fixtures';

const REPO = path.resolve(__dirname, '../../..');
/** AIVENATOR_GO_FIXTURES, else the shared fixtures beside the checkout (main or a worktree). */
export const FIXTURES =
  process.env.AIVENATOR_GO_FIXTURES ??
  [path.join(REPO, 'test/fixtures/go-aivenator'), path.resolve(REPO, '../shared/fixtures/go-aivenator'), path.resolve(REPO, '../../shared/fixtures/go-aivenator')].find((d) => fs.existsSync(d)) ??
  path.join(REPO, 'test/fixtures/go-aivenator');

export interface GoFixtures {
  secrets: k8s.V1Secret[];
  apps: AivenApplication[];
  /** Service name → user names (each service's avnadmin included). */
  users: Record<string, string[]>;
  project: string;
}

export function readFixtures(dir = FIXTURES): GoFixtures {
  const secretDir = path.join(dir, 'secrets');
  const secrets = fs.readdirSync(secretDir).sort().map((f) => JSON.parse(fs.readFileSync(path.join(secretDir, f), 'utf8')) as k8s.V1Secret);
  const apps = (JSON.parse(fs.readFileSync(path.join(dir, 'aivenapplications.json'), 'utf8')) as { items: AivenApplication[] }).items;
  const aiven = JSON.parse(fs.readFileSync(path.join(dir, 'aiven-users.json'), 'utf8')) as { project: string; services: Record<string, string[]> };
  return { secrets, apps, users: aiven.services, project: aiven.project };
}

async function ignoreConflict(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
  }
}

/** Namespaces of the apps and, in each, the OpenSearch/Valkey objects the README names, RUNNING. */
async function loadInstances(namespaces: string[]): Promise<void> {
  for (const namespace of namespaces) {
    await ignoreConflict(() => core.createNamespace({ body: { metadata: { name: namespace } } }));
    for (const [plural, kind, name] of [
      ['opensearches', 'OpenSearch', `opensearch-${namespace}-logs`],
      ['valkeys', 'Valkey', `valkey-${namespace}-cache`],
      ['valkeys', 'Valkey', `valkey-${namespace}-sessions`],
    ] as const) {
      await ignoreConflict(() => custom.createNamespacedCustomObject({
        group: 'aiven.io', version: 'v1alpha1', plural, namespace,
        body: { apiVersion: 'aiven.io/v1alpha1', kind, metadata: { name, namespace }, spec: {} },
      }));
      await setInstanceState(namespace, plural, name, 'RUNNING');
    }
  }
}

/**
 * The users in the fake Aiven. The per-namespace services are created with their
 * users; the pool's Kafka service is shared with the rest of the test world, so its
 * users are created through the Aiven API (callers take their request-log mark after).
 */
async function loadUsers(fx: GoFixtures): Promise<void> {
  const w = world();
  const aiven = new AivenClient({ baseUrl: w.aiven.url, token: w.aiven.token });
  for (const [service, names] of Object.entries(fx.users)) {
    const normal = names.filter((n) => n !== 'avnadmin');
    if (service === 'kafka') {
      for (const username of normal) await aiven.createServiceUser(fx.project, service, { username }).catch((err: unknown) => {
        if (!String(err).includes('409') && !/already exists/i.test(String(err))) throw err;
      });
    } else {
      const type = service.startsWith('opensearch') ? 'opensearch' : 'valkey';
      await fakeAiven().putService(fx.project, { name: service, type, users: normal.map((username) => ({ username })) });
    }
  }
}

/** Creates the Secrets as Go wrote them, and the applications with Go's status. */
export async function loadFixtures(fx: GoFixtures): Promise<void> {
  await loadInstances([...new Set(fx.apps.map((a) => a.metadata.namespace))]);
  await loadUsers(fx);
  for (const secret of fx.secrets) {
    await core.createNamespacedSecret({ namespace: secret.metadata!.namespace!, body: secret });
  }
  for (const app of fx.apps) {
    const { namespace, name, labels } = app.metadata;
    await custom.createNamespacedCustomObject({
      ...AIVENAPP, namespace,
      body: { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name, namespace, labels }, spec: app.spec },
    });
    await custom.replaceNamespacedCustomObjectStatus({
      ...AIVENAPP, namespace, name,
      body: { ...(await custom.getNamespacedCustomObject({ ...AIVENAPP, namespace, name })) as object, status: app.status },
    });
  }
}
