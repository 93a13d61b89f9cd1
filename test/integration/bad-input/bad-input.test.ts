// Bad input, all at once in one namespace next to healthy applications: each
// bad application gets a clear condition or event within its first pass, costs
// at most one Aiven call, causes no retry storm (permanent problems wait for
// the next change, missing instances retry after 100 s), and the healthy
// applications converge meanwhile. The single-case checks of
// test/integration/reconcile/invalid-specs.test.ts (messages, no Aiven call for
// spec problems, a Secret not ours left untouched) and of
// test/integration/lifecycle/finalizer.test.ts (malformed annotations wait
// without a hot loop) are not repeated here; what is new is the mix, the
// per-application Aiven budget, the invalid access values the CRD refuses,
// expiresAt in the past and over-long names.
import * as k8s from '@kubernetes/client-node';
import { stateQuery } from '../../../workflows';
import type { ActorState } from '../../../workflows/application';
import { appWorkflowId } from '../../../workflows/ids';
import { AIVENAPP, AivenApplication, AivenApplicationSpec } from '../../../src/kube/aivenapp-types';
import { isKubeError, mergePatch } from '../../../src/kube/clients';
import type { RequestLogEntry } from '../../../src/fake-aiven/types';
import { MAX_SERVICE_USER_NAME_LENGTH, kafkaServiceUserName, openSearchUserName, valkeyUserName } from '../../../src/naming/names';
import { AivenatorUnderTest, eventually, fakeAiven, isConverged, startAivenator } from '../../env/aivenator';
import { adminKubeConfig, world } from '../../env/world';
import { appEvents, core, createApp, createInstance, custom, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { createManagedSecret, deleteSecret, kafkaAnnotations, logMark, waitSecretGone } from '../lifecycle/fixtures';

jest.setTimeout(120_000);

const pool = () => world().aiven.mainProject;

interface BadCase {
  what: string;
  app: string;
  spec: () => AivenApplicationSpec;
  /** Objects the case needs first (aiven.io instances, a Secret of someone else). */
  setup?: (namespace: string) => Promise<void>;
  /** The condition the first pass sets. */
  condition: { type: 'LocalFailure' | 'AivenFailure'; reason: string; message: RegExp };
  /** Permanent: waits for the next change. Otherwise a timer at least this far ahead. */
  retryAfterAtLeastMs?: number;
  /** Services (by name) and users whose Aiven requests count against this application. */
  services: (namespace: string) => string[];
  users: (namespace: string) => string[];
  maxAivenCalls: number;
}

/** Long enough that `<app>-rw-<sfx>` (Valkey) exceeds Aiven's 64 characters; a valid Kubernetes name. */
const LONG_APP = `long-${'x'.repeat(58)}`;

const cases: BadCase[] = [
  {
    what: 'a Secret name that is not a DNS label',
    app: 'bad-secret-name',
    spec: () => ({ kafka: { pool: pool(), secretName: 'Bad_Name' } }),
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /InvalidSecretName: .*Bad_Name/ },
    services: () => [],
    users: (ns) => [kafkaServiceUserName(ns, 'bad-secret-name', 1)],
    maxAivenCalls: 0,
  },
  {
    what: 'a Secret name longer than 63 characters',
    app: 'too-long-secret',
    spec: () => ({ valkey: [{ instance: 'cache', secretName: `s${'e'.repeat(63)}` }] }),
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /InvalidSecretName: .*must be no more than 63 characters/ },
    services: () => [],
    users: () => [],
    maxAivenCalls: 0,
  },
  {
    what: 'two entries with the same Secret name',
    app: 'same-secret',
    spec: () => ({ kafka: { pool: pool(), secretName: 'same-secret' }, valkey: [{ instance: 'cache', secretName: 'same-secret' }] }),
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /DuplicateSecretName: .*both use Secret same-secret/ },
    services: () => [],
    users: (ns) => [kafkaServiceUserName(ns, 'same-secret', 1)],
    maxAivenCalls: 0,
  },
  {
    what: 'an unknown Kafka pool',
    app: 'unknown-pool',
    spec: () => ({ kafka: { pool: 'nobodys-pool', secretName: 'unknown-pool-kafka' } }),
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /PoolNotAllowed: .*nobodys-pool.*not one of the allowed pools/ },
    services: () => [],
    users: (ns) => [kafkaServiceUserName(ns, 'unknown-pool', 1)],
    maxAivenCalls: 0,
  },
  {
    what: 'a missing OpenSearch object',
    app: 'no-opensearch',
    spec: () => ({ openSearch: { instance: 'absent-os', access: 'read', secretName: 'no-opensearch-os' } }),
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /SyncOpensearch: .*no aiven\.io opensearches object named opensearch-.*-absent-os or absent-os/ },
    retryAfterAtLeastMs: 60_000,
    services: (ns) => [`opensearch-${ns}-absent-os`],
    users: (ns) => [openSearchUserName(ns, 'read', 1, 'no-opensearch')],
    maxAivenCalls: 0,
  },
  {
    what: 'an OpenSearch object that is not RUNNING',
    app: 'os-rebuilding',
    spec: () => ({ openSearch: { instance: 'rebuilding-os', secretName: 'os-rebuilding-os' } }),
    setup: async (ns) => { await createInstance(ns, 'opensearches', 'rebuilding-os', { state: 'REBUILDING' }); },
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /SyncOpensearch: .*opensearch-.*-rebuilding-os is REBUILDING, not RUNNING/ },
    retryAfterAtLeastMs: 60_000,
    services: (ns) => [`opensearch-${ns}-rebuilding-os`],
    users: () => [],
    maxAivenCalls: 0,
  },
  {
    what: 'a missing Valkey object',
    app: 'no-valkey',
    spec: () => ({ valkey: [{ instance: 'absent-valkey', secretName: 'no-valkey-valkey' }] }),
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /SyncValkey: .*no aiven\.io valkeys object named valkey-.*-absent-valkey/ },
    retryAfterAtLeastMs: 60_000,
    services: (ns) => [`valkey-${ns}-absent-valkey`],
    users: () => [valkeyUserName('no-valkey', undefined, 1)],
    maxAivenCalls: 0,
  },
  {
    what: 'a Valkey object without a state yet',
    app: 'valkey-new',
    spec: () => ({ valkey: [{ instance: 'new-valkey', access: 'write', secretName: 'valkey-new-valkey' }] }),
    setup: async (ns) => {
      // Just created by the Aiven operator: no status yet.
      const name = `valkey-${ns}-new-valkey`;
      await custom.createNamespacedCustomObject({ group: 'aiven.io', version: 'v1alpha1', plural: 'valkeys', namespace: ns, body: { apiVersion: 'aiven.io/v1alpha1', kind: 'Valkey', metadata: { name }, spec: {} } });
      await fakeAiven().putService(pool(), { name, type: 'valkey' });
    },
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /SyncValkey: .*valkey-.*-new-valkey is without a state, not RUNNING/ },
    retryAfterAtLeastMs: 60_000,
    services: (ns) => [`valkey-${ns}-new-valkey`],
    users: () => [valkeyUserName('valkey-new', 'write', 1)],
    maxAivenCalls: 0,
  },
  {
    what: 'a Secret of that name that Aivenator does not manage',
    app: 'squatted',
    spec: () => ({ valkey: [{ instance: 'cache', secretName: 'someone-elses' }] }),
    setup: async (ns) => { await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'someone-elses' }, stringData: { THEIRS: 'keep' } } }); },
    condition: { type: 'LocalFailure', reason: 'CreateSecret', message: /SyncValkey: .*not managed by Aivenator/ },
    services: () => [],
    users: () => [valkeyUserName('squatted', undefined, 1)],
    // The compensation checks that the failed sync created no user (getServiceUser 404).
    maxAivenCalls: 1,
  },
  {
    what: 'an application name that makes the Valkey user longer than 64 characters',
    app: LONG_APP,
    spec: () => ({ valkey: [{ instance: 'long-cache', access: 'readwrite', secretName: 'long-valkey' }] }),
    setup: async (ns) => { await createInstance(ns, 'valkeys', 'long-cache'); },
    condition: { type: 'AivenFailure', reason: 'CreateServiceUser', message: /username is longer than 64 characters/ },
    services: (ns) => [`valkey-${ns}-long-cache`],
    users: () => [valkeyUserName(LONG_APP, 'readwrite', 1)],
    maxAivenCalls: 1,
  },
];

/** The requests of one case: on its services, or about its users. */
function callsOf(entries: RequestLogEntry[], services: string[], users: string[]): RequestLogEntry[] {
  return entries.filter((e) => services.some((s) => e.path.includes(`/service/${s}/`) || e.path.endsWith(`/service/${s}`)) || (e.username !== undefined && users.includes(e.username)));
}

async function state(aivenator: AivenatorUnderTest, namespace: string, name: string): Promise<ActorState> {
  return aivenator.client.workflow.getHandle(appWorkflowId(namespace, name)).query(stateQuery);
}

async function converged(namespace: string, name: string, timeoutMs = 45_000): Promise<AivenApplication> {
  return eventually(async () => {
    const app = await getApp(namespace, name);
    return isConverged(app) ? app : undefined;
  }, timeoutMs, `${namespace}/${name} converged`);
}

describe('bad input next to healthy applications', () => {
  const namespace = `bad-${Date.now().toString(36)}`;
  // 63 characters: the OpenSearch user `<namespace>-r-<sfx>` is longer than 64.
  const longNamespace = `bad-long-${Date.now().toString(36)}-`.padEnd(63, 'n');
  let aivenator: AivenatorUnderTest;
  let mark: number;
  const failedAt = new Map<string, { condition: NonNullable<AivenApplication['status']>['conditions']; passes: number }>();

  beforeAll(async () => {
    const api = adminKubeConfig().makeApiClient(k8s.CoreV1Api);
    await api.createNamespace({ body: { metadata: { name: namespace } } });
    await api.createNamespace({ body: { metadata: { name: longNamespace } } });
    await createInstance(namespace, 'valkeys', 'cache');
    await createInstance(longNamespace, 'opensearches', 'logs');
    for (const c of cases) await c.setup?.(namespace);
    // One worker and controller for both namespaces (the helper watches one namespace; the second gets its own controller below).
    aivenator = await startAivenator({ namespace });
    mark = await logMark();
  });
  afterAll(() => aivenator?.stop());

  it('gives every bad application its condition in its first pass, while the healthy one converges', async () => {
    await createApp(namespace, 'healthy', { kafka: { pool: pool(), secretName: 'healthy-kafka' }, valkey: [{ instance: 'cache', access: 'read', secretName: 'healthy-valkey' }] });
    await Promise.all(cases.map((c) => createApp(namespace, c.app, c.spec())));
    await converged(namespace, 'healthy');
    for (const c of cases) {
      const app = await eventually(async () => {
        const a = await getApp(namespace, c.app);
        return a.status?.synchronizationState === 'RolloutFailed' ? a : undefined;
      }, 45_000, `${c.app} RolloutFailed`);
      const condition = app.status!.conditions!.find((x) => x.status === 'True' && x.type !== 'Succeeded');
      expect({ what: c.what, condition: { type: condition?.type, reason: condition?.reason } }).toEqual({ what: c.what, condition: { type: c.condition.type, reason: c.condition.reason } });
      expect(condition?.message).toMatch(c.condition.message);
      expect(app.status?.conditions?.find((x) => x.type === 'Succeeded')?.status).not.toBe('True');
      failedAt.set(c.app, { condition: app.status!.conditions, passes: (await state(aivenator, namespace, c.app)).passes });
      // The pass also says so as a Warning event on the application.
      const warning = (await appEvents(namespace, c.app)).find((e) => e.reason === 'SyncFailed');
      expect(warning?.type).toBe('Warning');
    }
    // Within one pass: the condition came from the first.
    expect(Object.fromEntries([...failedAt].map(([app, f]) => [app, f.passes]))).toEqual(Object.fromEntries(cases.map((c) => [c.app, 1])));
  });

  it('costs each bad application at most one Aiven call', async () => {
    const entries = (await fakeAiven().getRequestLog(mark)).entries;
    const calls = Object.fromEntries(cases.map((c) => [c.what, callsOf(entries, c.services(namespace), c.users(namespace)).map((e) => `${e.operation} ${e.status}`)]));
    const over = cases.filter((c) => calls[c.what].length > c.maxAivenCalls).map((c) => `${c.what}: ${calls[c.what].join(', ')}`);
    expect(over).toEqual([]);
    // The over-long Valkey user: Aiven's own 400, once.
    expect(calls[cases[cases.length - 1].what]).toEqual(['createServiceUser 400']);
  });

  it('causes no retry storm: permanent problems wait for a change, missing instances retry after 100 s', async () => {
    const before = Object.fromEntries(await Promise.all(cases.map(async (c) => [c.app, await state(aivenator, namespace, c.app)] as const)));
    const requestsBefore = (await fakeAiven().getCounters()).total;
    await new Promise((r) => setTimeout(r, 4000));
    for (const c of cases) {
      const now = await state(aivenator, namespace, c.app);
      expect({ app: c.app, passes: now.passes }).toEqual({ app: c.app, passes: before[c.app].passes });
      if (c.retryAfterAtLeastMs) {
        expect({ app: c.app, timer: now.nextPassAt !== undefined }).toEqual({ app: c.app, timer: true });
        expect(Date.parse(now.nextPassAt!) - Date.now()).toBeGreaterThan(c.retryAfterAtLeastMs - 10_000);
      } else {
        expect({ app: c.app, nextPassAt: now.nextPassAt }).toEqual({ app: c.app, nextPassAt: undefined });
      }
    }
    // Nothing in this namespace called Aiven in the meantime.
    expect((await fakeAiven().getCounters()).total).toBe(requestsBefore);
    // The Secret that is not ours is untouched.
    expect(Object.keys((await secretOrUndefined(namespace, 'someone-elses'))!.data ?? {})).toEqual(['THEIRS']);
  });

  it('still converges an application created after all that, quickly', async () => {
    const started = Date.now();
    await createApp(namespace, 'latecomer', { valkey: [{ instance: 'cache', access: 'write', secretName: 'latecomer-valkey' }] });
    await converged(namespace, 'latecomer', 30_000);
    process.stdout.write(`bad input: a new application converged in ${Date.now() - started} ms next to ${cases.length} failing ones\n`);
  });

  it('refuses invalid access values at the API (422), so no actor ever sees them', async () => {
    for (const [spec, field] of [
      [{ valkey: [{ instance: 'cache', access: 'superuser', secretName: 'x-valkey' }] }, 'spec.valkey[0].access'],
      [{ openSearch: { instance: 'logs', access: 'READ', secretName: 'x-os' } }, 'spec.openSearch.access'],
    ] as const) {
      const err = await createApp(namespace, 'bad-access', spec as AivenApplicationSpec).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(k8s.ApiException);
      const apiErr = err as k8s.ApiException<unknown>;
      expect(apiErr.code).toBe(422);
      const body = typeof apiErr.body === 'string' ? apiErr.body : JSON.stringify(apiErr.body);
      expect(body).toContain(`${field}: Unsupported value:`);
      expect(body).toContain('supported values: \\"read\\", \\"write\\", \\"readwrite\\", \\"admin\\"');
    }
    await expect(getApp(namespace, 'bad-access')).rejects.toMatchObject({ code: 404 });
  });

  it('deletes an application whose expiresAt has passed, with an Expired event and no Aiven call', async () => {
    const markBefore = await logMark();
    await createApp(namespace, 'expired', { expiresAt: '2020-01-01T00:00:00Z', kafka: { pool: pool(), secretName: 'expired-kafka' } });
    await eventually(async () => {
      try {
        await custom.getNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'expired' });
        return undefined;
      } catch (err) {
        if (isKubeError(err, 404)) return true;
        throw err;
      }
    }, 30_000, 'the expired application deleted');
    const expired = await eventually(async () => (await appEvents(namespace, 'expired')).find((e) => e.reason === 'Expired'), 10_000, 'Expired event');
    expect(expired.note).toContain('2020-01-01T00:00:00Z');
    const final = (await aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'expired')).result()) as ActorState;
    expect(final.lastResult?.outcome).toBe('expired');
    expect(final.passes).toBe(1);
    expect(await secretOrUndefined(namespace, 'expired-kafka')).toBeUndefined();
    const kafkaUser = kafkaServiceUserName(namespace, 'expired', 1);
    expect((await fakeAiven().getRequestLog(markBefore)).entries.filter((e) => e.username === kafkaUser)).toEqual([]);
  });

  it('truncates over-long Kafka user names as the reference does, and converges', async () => {
    await createApp(namespace, LONG_APP.replace('long-', 'kafka-').slice(0, 63), { kafka: { pool: pool(), secretName: 'long-kafka' } });
    const name = LONG_APP.replace('long-', 'kafka-').slice(0, 63);
    await converged(namespace, name);
    const user = (await secretOrUndefined(namespace, 'long-kafka'))!.metadata!.annotations!['kafka.aiven.nais.io/serviceUser'];
    expect(user).toBe(kafkaServiceUserName(namespace, name, 1));
    expect(user.length).toBeLessThanOrEqual(MAX_SERVICE_USER_NAME_LENGTH);
    // <team ≤ 20>_<app ≤ 30>_<crc32>_<suffix>: the app part cut to 30 characters.
    expect(user.split('_')[1]).toBe(name.slice(0, 30));
  });

  it('fails an OpenSearch user over 64 characters (a long namespace) with Aiven\'s 400, next to a healthy app there', async () => {
    const second = await startAivenator({ namespace: longNamespace });
    try {
      const markBefore = await logMark();
      await createApp(longNamespace, 'fine', { kafka: { pool: pool(), secretName: 'fine-kafka' } });
      await createApp(longNamespace, 'search', { openSearch: { instance: 'logs', access: 'read', secretName: 'search-os' } });
      await converged(longNamespace, 'fine');
      const app = await eventually(async () => {
        const a = await getApp(longNamespace, 'search');
        return a.status?.synchronizationState === 'RolloutFailed' ? a : undefined;
      }, 30_000, 'search RolloutFailed');
      expect(app.status?.conditions?.find((c) => c.status === 'True' && c.type !== 'Succeeded')).toMatchObject({ type: 'AivenFailure', reason: 'CreateServiceUser', message: expect.stringMatching(/username is longer than 64 characters/) });
      const username = openSearchUserName(longNamespace, 'read', 1, 'search');
      expect(username.length).toBeGreaterThan(MAX_SERVICE_USER_NAME_LENGTH);
      const calls = callsOf((await fakeAiven().getRequestLog(markBefore)).entries, [`opensearch-${longNamespace}-logs`], [username]);
      expect(calls.map((e) => `${e.operation} ${e.status}`)).toEqual(['createServiceUser 400']);
      const actor = await second.client.workflow.getHandle(appWorkflowId(longNamespace, 'search')).query(stateQuery);
      expect(actor.passes).toBe(1);
      expect(actor.nextPassAt).toBeUndefined();
    } finally {
      await second.stop();
    }
  });

  it('blocks the finalizer of a managed Secret with malformed annotations without calling Aiven, while others converge', async () => {
    const username = `${namespace}-malformed`;
    const secret = await createManagedSecret(namespace, 'malformed-annotations', { annotations: { 'kafka.aiven.nais.io/serviceUser': username } });
    const markBefore = await logMark();
    await deleteSecret(namespace, 'malformed-annotations');
    const blocked = await eventually(async () => (await appEvents(namespace, 'malformed-annotations')).find((e) => e.reason === 'CleanupBlocked'), 20_000, 'CleanupBlocked');
    expect(blocked.type).toBe('Warning');
    expect(blocked.note).toMatch(/missing annotation kafka\.aiven\.nais\.io\/pool/);
    await createApp(namespace, 'meanwhile', { kafka: { pool: pool(), secretName: 'meanwhile-kafka' } });
    await converged(namespace, 'meanwhile', 30_000);
    expect((await fakeAiven().getRequestLog(markBefore)).entries.filter((e) => e.username === username)).toEqual([]);
    // Still waiting for a fix (or skipCleanup): the Secret stays with its finalizer.
    expect((await secretOrUndefined(namespace, 'malformed-annotations'))?.metadata?.uid).toBe(secret.metadata?.uid);
    // Fixed: the finalizer finishes (the user never existed).
    await core.patchNamespacedSecret({ namespace, name: 'malformed-annotations', body: { metadata: { annotations: kafkaAnnotations(username) } } }, mergePatch);
    await waitSecretGone(namespace, 'malformed-annotations');
  });
});
