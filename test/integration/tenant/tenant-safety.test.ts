// Tenant safety (issue 13), against the real kube-apiserver and Temporal: a
// team member holding a token that only reaches Secrets in its own namespace
// (and, separately, a Temporal client) tries to make Aivenator delete or
// overwrite another team's credentials. Every attack is refused with nothing
// deleted, and said so in the tenant's own namespace; the legitimate paths
// (an application's Secret deleted, a Go-written Secret deleted) still delete.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AivenClient } from '../../../src/aiven/client';
import { noopMetrics } from '../../../src/metrics/hooks';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { kafkaServiceUserName, openSearchUserName, suffix3 } from '../../../src/naming/names';
import { SIGNATURE_ANNOTATION } from '../../../src/provenance/signature';
import type { ServiceUserRef } from '../../../src/model/types';
import { releaseServiceUsersWorkflow } from '../../../workflows/compensation';
import { FinalizerState, secretFinalizerWorkflowId } from '../../../workflows/secret-finalizer';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { actorIdle, callsFor, kafkaAnnotations, logMark, userExists, valkeyAnnotations } from '../lifecycle/fixtures';
import { appEvents, core, createApp, createInstance, custom, eventsApi, getApp, patchSpec, secretOrUndefined } from '../reconcile/fixtures';
import { mergePatch } from '../../../src/kube/clients';
import { FIXTURES as GO_FIXTURES } from '../takeover/go-fixtures';
import { Tenant, deleteAndWaitGone, ensureNamespace, forge, isForbidden, tenantIn } from './tenant';

const project = () => world().aiven.mainProject;
const aiven = () => new AivenClient({ baseUrl: world().aiven.url, token: world().aiven.token });
const osAnnotations = (service: string, username: string, p = project()) => ({
  'opensearch.aiven.nais.io/serviceUser': username, 'opensearch.aiven.nais.io/serviceName': service, 'opensearch.aiven.nais.io/project': p,
});

describe('tenant safety: no team can make Aivenator touch another team\'s credentials', () => {
  let aivenator: AivenatorUnderTest;
  let orders: string; // the victim
  let tenant: Tenant; // the attacker, in "analytics"
  const refusals: string[] = [];
  const victim = { kafka: '', previousKafka: '', valkey: '', opensearch: '', valkeyService: '', osService: '' };
  const direct = 'made-by-hand-in-aiven';

  beforeAll(async () => {
    orders = await freshNamespace('orders');
    tenant = await tenantIn(await freshNamespace('analytics'));
    // Every namespace: the ambiguity and Go-fixture cases use namespaces of their own.
    aivenator = await startAivenator({ namespace: '', metrics: { ...noopMetrics, cleanupRefused: (reason) => void refusals.push(reason) } });
    victim.valkeyService = await createInstance(orders, 'valkeys', 'sessions');
    victim.osService = await createInstance(orders, 'opensearches', 'logs');
    await createApp(orders, 'checkout', {
      kafka: { pool: project(), secretName: 'checkout-kafka' },
      valkey: [{ instance: 'sessions', access: 'readwrite', secretName: 'checkout-valkey' }],
      openSearch: { instance: 'logs', access: 'read', secretName: 'checkout-os' },
    });
    await eventually(async () => ((await getApp(orders, 'checkout')).status?.synchronizedGeneration === 1 ? true : undefined), 60_000, 'checkout generation 1');
    victim.previousKafka = kafkaServiceUserName(orders, 'checkout', 1);
    // Generation 2: the Kafka Secret keeps its name, its old user waits out the grace period (1 h) in Aiven.
    await patchSpec(orders, 'checkout', { valkey: [{ instance: 'sessions', access: 'read', secretName: 'checkout-valkey' }] });
    await eventually(async () => ((await getApp(orders, 'checkout')).status?.synchronizedGeneration === 2 ? true : undefined), 60_000, 'checkout generation 2');
    const annotations = async (name: string) => (await secretOrUndefined(orders, name))!.metadata!.annotations!;
    victim.kafka = (await annotations('checkout-kafka'))['kafka.aiven.nais.io/serviceUser'];
    victim.valkey = (await annotations('checkout-valkey'))['sessions.valkey.aiven.nais.io/serviceUser'];
    victim.opensearch = (await annotations('checkout-os'))['opensearch.aiven.nais.io/serviceUser'];
    expect(victim.kafka).toBe(kafkaServiceUserName(orders, 'checkout', 2));
    await aiven().createServiceUser(project(), 'kafka', { username: direct });
    await createApp(tenant.namespace, 'reporter', { kafka: { pool: project(), secretName: 'reporter-kafka' } });
    await eventually(async () => ((await getApp(tenant.namespace, 'reporter')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 60_000, 'reporter converged');
  }, 240_000);
  afterAll(() => aivenator?.stop(), 60_000);

  async function victimUsersIntact(): Promise<void> {
    expect(await userExists(project(), 'kafka', victim.kafka)).toBe(true);
    expect(await userExists(project(), 'kafka', victim.previousKafka)).toBe(true);
    expect(await userExists(project(), 'kafka', direct)).toBe(true);
    expect(await userExists(project(), victim.valkeyService, victim.valkey)).toBe(true);
    expect(await userExists(project(), victim.osService, victim.opensearch)).toBe(true);
    expect((await fakeAiven().getOpenSearchAcl(project(), victim.osService)).acls.map((a) => a.username)).toContain(victim.opensearch);
  }

  /** Forges, deletes, and checks: only the finalizer went, nothing was asked of Aiven for these users, and the tenant was told. */
  async function attack(t: Tenant, name: string, annotations: Record<string, string>, users: string[], app = 'checkout'): Promise<FinalizerState> {
    const mark = await logMark();
    const secret = await forge(t, name, annotations, app);
    await deleteAndWaitGone(t, name);
    const state = (await aivenator.client.workflow.getHandle(secretFinalizerWorkflowId(t.namespace, name, secret.metadata!.uid!)).result()) as FinalizerState;
    expect(state.outcome).toBe('cleaned');
    expect(state.users.map((u) => u.status)).toEqual(users.map(() => 'refused'));
    for (const u of users) {
      expect(await callsFor(mark, 'deleteServiceUser', u)).toEqual([]);
      expect((await fakeAiven().getRequestLog(mark)).entries.filter((e) => e.operation === 'updateOpenSearchAcl')).toEqual([]);
    }
    const refused = await eventually(async () => (await appEvents(t.namespace, name)).find((e) => e.reason === 'CleanupRefused'), 10_000, 'CleanupRefused event');
    expect(refused.type).toBe('Warning');
    return state;
  }

  it('the tenant token reaches only its own namespace', async () => {
    const denied = await tenant.core.listNamespacedSecret({ namespace: orders }).then(() => undefined, (err: unknown) => err);
    expect(isForbidden(denied)).toBe(true);
    expect((await tenant.core.listNamespacedSecret({ namespace: tenant.namespace })).items.map((s) => s.metadata?.name)).toContain('reporter-kafka');
  });

  it("refuses forged Secrets naming another team's previous-generation Kafka user, its current one, and a user made directly in Aiven", async () => {
    await attack(tenant, 'forged-previous', kafkaAnnotations(victim.previousKafka), [victim.previousKafka]);
    await attack(tenant, 'forged-current', kafkaAnnotations(victim.kafka), [victim.kafka]);
    await attack(tenant, 'forged-direct', kafkaAnnotations(direct), [direct]);
    // A name shaped like the tenant's own but never made by Aivenator (no generation gives that suffix).
    const lookalike = `${kafkaServiceUserName(tenant.namespace, 'reporter', 1).slice(0, -3)}zzz`;
    await aiven().createServiceUser(project(), 'kafka', { username: lookalike });
    await attack(tenant, 'forged-lookalike', kafkaAnnotations(lookalike), [lookalike], 'reporter');
    expect(await userExists(project(), 'kafka', lookalike)).toBe(true);
    await victimUsersIntact();
    expect(refusals).toContain('name-mismatch');
  });

  it("refuses another team's Valkey user in its service, and its OpenSearch user and ACL entry", async () => {
    await attack(tenant, 'forged-valkey', valkeyAnnotations('sessions', victim.valkeyService, victim.valkey), [victim.valkey]);
    await attack(tenant, 'forged-opensearch', osAnnotations(victim.osService, victim.opensearch), [victim.opensearch]);
    await victimUsersIntact();
  });

  it('refuses annotations pointing at a project Aivenator does not manage', async () => {
    await fakeAiven().putProject({ name: 'someone-elses-project', services: [{ name: 'kafka', type: 'kafka' }] });
    const username = kafkaServiceUserName(tenant.namespace, 'reporter', 1); // a proper name, in the wrong project
    await aiven().createServiceUser('someone-elses-project', 'kafka', { username });
    await attack(tenant, 'forged-project', kafkaAnnotations(username, 'someone-elses-project'), [username], 'reporter');
    expect(await userExists('someone-elses-project', 'kafka', username)).toBe(true);
    expect(refusals).toContain('project-not-allowed');
  });

  it('refuses a copied signature and a Secret relabelled as managed after creation', async () => {
    const signature = (await tenant.core.readNamespacedSecret({ namespace: tenant.namespace, name: 'reporter-kafka' })).metadata!.annotations![SIGNATURE_ANNOTATION];
    expect(signature).toMatch(/^v1\./);
    await attack(tenant, 'copied-signature', { ...kafkaAnnotations(victim.kafka), [SIGNATURE_ANNOTATION]: signature }, [victim.kafka]);

    const mark = await logMark();
    await tenant.core.createNamespacedSecret({ namespace: tenant.namespace, body: { metadata: { name: 'relabelled', annotations: kafkaAnnotations(victim.kafka) } } });
    const secret = await tenant.core.patchNamespacedSecret(
      { namespace: tenant.namespace, name: 'relabelled', body: { metadata: { labels: { type: 'aivenator.aiven.nais.io', app: 'checkout' }, finalizers: ['aivenator.aiven.nais.io/finalizer'] } } },
      mergePatch,
    );
    await deleteAndWaitGone(tenant, 'relabelled');
    const state = (await aivenator.client.workflow.getHandle(secretFinalizerWorkflowId(tenant.namespace, 'relabelled', secret.metadata!.uid!)).result()) as FinalizerState;
    expect(state.users.map((u) => u.status)).toEqual(['refused']);
    expect(await callsFor(mark, 'deleteServiceUser', victim.kafka)).toEqual([]);
    await victimUsersIntact();
  });

  it('refuses a service name two namespaces could own (orders vs orders-x, orders vs orders-r)', async () => {
    const base = await freshNamespace('amb');
    const t = await tenantIn(base);
    // orders-x owns opensearch-<base>-x-logs; its user's name cannot be base's.
    await ensureNamespace(`${base}-x`);
    const xService = await createInstance(`${base}-x`, 'opensearches', 'logs');
    const xUser = openSearchUserName(`${base}-x`, 'read', 1, 'search');
    await aiven().createServiceUser(project(), xService, { username: xUser });
    await attack(t, 'ambiguous-x', osAnnotations(xService, xUser), [xUser], 'search');
    // orders-r's admin user spells exactly base's read user; base squats an object of that service's name.
    await ensureNamespace(`${base}-r`);
    const rService = await createInstance(`${base}-r`, 'opensearches', 'logs');
    const rUser = `${base}-r-${suffix3(1, 'search')}`;
    expect(rUser).toBe(openSearchUserName(base, 'read', 1, 'search'));
    await aiven().createServiceUser(project(), rService, { username: rUser });
    await createInstance(base, 'opensearches', 'r-logs', { aivenService: false });
    await attack(t, 'ambiguous-r', osAnnotations(rService, rUser), [rUser], 'search');
    expect(await userExists(project(), xService, xUser)).toBe(true);
    expect(await userExists(project(), rService, rUser)).toBe(true);
    expect(refusals).toContain('service-not-owned');
  });

  it('a workflow started by hand with foreign users deletes nothing', async () => {
    const foreign: ServiceUserRef[] = [
      { handler: 'kafka', project: project(), username: victim.kafka },
      { handler: 'kafka', project: project(), username: victim.previousKafka },
      { handler: 'kafka', project: project(), username: direct },
      { handler: 'valkey', project: project(), service: victim.valkeyService, username: victim.valkey },
      { handler: 'opensearch', project: project(), service: victim.osService, username: victim.opensearch },
    ];
    const victimSecret = (await secretOrUndefined(orders, 'checkout-kafka'))!;
    const owners = [
      undefined,
      { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', namespace: tenant.namespace, name: 'reporter' },
      { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', namespace: tenant.namespace, name: 'checkout' },
      { apiVersion: 'v1', kind: 'Secret', namespace: orders, name: 'checkout-kafka', uid: victimSecret.metadata!.uid },
    ];
    const mark = await logMark();
    for (const [i, regarding] of owners.entries()) {
      await aivenator.client.workflow.execute(releaseServiceUsersWorkflow, {
        taskQueue: aivenator.taskQueue, workflowId: `attack-release-${i}-${Date.now()}`, args: [{ users: foreign, graceMs: 0, reason: 'attack', regarding }],
      });
    }
    // Naming the victim's own application: its live users are kept, the rest unproven.
    await aivenator.client.workflow.execute(releaseServiceUsersWorkflow, {
      taskQueue: aivenator.taskQueue, workflowId: `attack-release-victim-${Date.now()}`,
      args: [{ users: [foreign[0], foreign[2], foreign[3], foreign[4]], graceMs: 0, reason: 'attack', regarding: { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', namespace: orders, name: 'checkout' } }],
    });
    const log = (await fakeAiven().getRequestLog(mark)).entries;
    expect(log.filter((e) => e.operation === 'deleteServiceUser' || e.operation === 'updateOpenSearchAcl')).toEqual([]);
    await victimUsersIntact();
  });

  it('no hijack: an application naming another application\'s Secret gets SecretNameConflict; the first keeps its Secret and user', async () => {
    const before = (await secretOrUndefined(orders, 'checkout-kafka'))!;
    const mark = await logMark();
    await createApp(orders, 'thief', { kafka: { pool: project(), secretName: 'checkout-kafka' } });
    const thief = await eventually(async () => {
      const app = await getApp(orders, 'thief');
      return app.status?.synchronizationState === 'RolloutFailed' ? app : undefined;
    }, 30_000, 'thief RolloutFailed');
    // Go's condition shape: the operation as the reason, our reason and detail in the message.
    expect(thief.status?.conditions?.find((c) => c.message?.includes('SecretNameConflict'))?.message).toMatch(/managed by Aivenator for application checkout, not for thief/);
    const events = await eventually(async () => (await appEvents(orders, 'thief')).find((e) => e.type === 'Warning' && e.note?.includes('SecretNameConflict')), 10_000, 'SyncFailed event');
    expect(events.note).toContain('checkout-kafka');
    const after = (await secretOrUndefined(orders, 'checkout-kafka'))!;
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.metadata?.annotations?.['kafka.aiven.nais.io/serviceUser']).toBe(victim.kafka);
    expect((await fakeAiven().getRequestLog(mark)).entries.filter((e) => e.operation === 'createServiceUser')).toEqual([]);
    await actorIdle(aivenator.client, orders, 'thief');
    await custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace: orders, name: 'thief' });
  });

  it("events in the tenant's namespace name no other namespace's objects", async () => {
    const all = (await eventsApi.listNamespacedEvent({ namespace: tenant.namespace })).items.map((e) => e.note ?? '');
    expect(all.some((n) => n.includes('refused to delete'))).toBe(true);
    for (const note of all) {
      expect(note).not.toContain(`${orders}/`);
      for (const name of ['checkout-kafka', 'checkout-valkey', 'checkout-os']) expect(note).not.toContain(name);
    }
  });

  it("the legitimate paths still delete: an application's Secret, and a Secret the Go aivenator wrote", async () => {
    // The tenant's own application goes, then the tenant deletes its Secret: the signed user is deleted.
    const reporterUser = kafkaServiceUserName(tenant.namespace, 'reporter', 1);
    await actorIdle(aivenator.client, tenant.namespace, 'reporter');
    await custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace: tenant.namespace, name: 'reporter' });
    await eventually(async () => ((await aivenator.client.workflow.getHandle(`aivenapp/${tenant.namespace}/reporter`).describe()).status.name === 'COMPLETED' ? true : undefined), 20_000, 'reporter actor ends');
    await deleteAndWaitGone(tenant, 'reporter-kafka');
    expect(await userExists(project(), 'kafka', reporterUser)).toBe(false);

    // A Go-written Secret (no signature): its user is what the naming rules give for team-0/app-0.
    const fixture = JSON.parse(fs.readFileSync(path.join(GO_FIXTURES, 'secrets', 'team-0__aiven-app-0-kafka-1.json'), 'utf8'));
    const goUser = fixture.metadata.annotations['kafka.aiven.nais.io/serviceUser'];
    await ensureNamespace('team-0');
    await aiven().createServiceUser(project(), 'kafka', { username: goUser });
    await core.createNamespacedSecret({ namespace: 'team-0', body: { ...fixture, metadata: { ...fixture.metadata } } });
    const goTenant = await tenantIn('team-0');
    await deleteAndWaitGone(goTenant, fixture.metadata.name);
    expect(await userExists(project(), 'kafka', goUser)).toBe(false);
    await victimUsersIntact();
  });
});
