// The Secret finalizer against the real apiserver, the real Temporal server and
// the fake Aiven: users are deleted exactly once, the Secret goes away, a
// failing Aiven keeps it (visibly) until an operator skips, shared users stay,
// malformed annotations wait for a fix, and Secrets already terminating when
// the controller starts are finalized too. Hand-made Secrets name users the
// naming rules give for their app label (unsigned, as the Go aivenator wrote
// them), so provenance holds; test/integration/tenant covers the refusals.
import { WorkflowHandle } from '@temporalio/client';
import type { FinalizerState } from '../../../workflows/secret-finalizer';
import { finalizerStateQuery, secretFinalizerWorkflowId, skipCleanupSignal } from '../../../workflows/secret-finalizer';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { core, createApp, createInstance, custom, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { mergePatch } from '../../../src/kube/clients';
import { kafkaServiceUserName, valkeyUserName } from '../../../src/naming/names';
import { actorIdle, callsFor, createManagedSecret, deleteSecret, eventsFor, kafkaAnnotations, logMark, userExists, valkeyAnnotations, waitSecretGone } from './fixtures';

const project = () => world().aiven.mainProject;

describe('the Secret finalizer', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  let terminatingAtStart: { name: string; username: string };

  beforeAll(async () => {
    namespace = await freshNamespace('fin');
    // A Secret that is already terminating before any controller runs.
    terminatingAtStart = { name: 'terminating-before-start', username: kafkaServiceUserName(namespace, 'early', 1) };
    await aivenatorClient().createServiceUser(project(), 'kafka', { username: terminatingAtStart.username });
    await createManagedSecret(namespace, terminatingAtStart.name, { annotations: kafkaAnnotations(terminatingAtStart.username), labels: { app: 'early' } });
    await deleteSecret(namespace, terminatingAtStart.name);
    expect((await secretOrUndefined(namespace, terminatingAtStart.name))?.metadata?.deletionTimestamp).toBeDefined();
    aivenator = await startAivenator({ namespace });
  });
  afterAll(async () => {
    await fakeAiven().setKnobs({ operationFaults: { deleteServiceUser: null } });
    await aivenator?.stop();
  });

  function aivenatorClient() {
    // The real Aiven client against the fake, as the activities use it.
    const { AivenClient } = require('../../../src/aiven/client') as typeof import('../../../src/aiven/client');
    return new AivenClient({ baseUrl: world().aiven.url, token: world().aiven.token });
  }

  function handleFor(name: string, uid: string): WorkflowHandle {
    return aivenator.client.workflow.getHandle(secretFinalizerWorkflowId(namespace, name, uid));
  }

  it('finalizes a Secret that was already terminating when the controller started', async () => {
    await waitSecretGone(namespace, terminatingAtStart.name);
    expect(await userExists(project(), 'kafka', terminatingAtStart.username)).toBe(false);
  });

  it('deletes every user of an application\'s Secrets exactly once, removes the ACL entry, and the Secrets disappear', async () => {
    await createInstance(namespace, 'opensearches', 'logs');
    await createInstance(namespace, 'valkeys', 'cache');
    const spec = {
      kafka: { pool: project(), secretName: 'e2e-kafka' },
      openSearch: { instance: 'logs', access: 'read', secretName: 'e2e-opensearch' },
      valkey: [{ instance: 'cache', access: 'write', secretName: 'e2e-valkey' }],
    };
    await createApp(namespace, 'e2e', spec);
    await eventually(async () => ((await getApp(namespace, 'e2e')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 45_000, 'RolloutComplete');
    const users = {
      kafka: (await secretOrUndefined(namespace, 'e2e-kafka'))!.metadata!.annotations!['kafka.aiven.nais.io/serviceUser'],
      opensearch: (await secretOrUndefined(namespace, 'e2e-opensearch'))!.metadata!.annotations!['opensearch.aiven.nais.io/serviceUser'],
      valkey: (await secretOrUndefined(namespace, 'e2e-valkey'))!.metadata!.annotations!['cache.valkey.aiven.nais.io/serviceUser'],
    };
    const osService = `opensearch-${namespace}-logs`;
    expect((await fakeAiven().getOpenSearchAcl(project(), osService)).acls.map((a) => a.username)).toContain(users.opensearch);

    // The application goes first (its actor ends; Secrets are left alone), then the Secrets are deleted.
    await actorIdle(aivenator.client, namespace, 'e2e');
    await custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'e2e' });
    await eventually(async () => ((await aivenator.client.workflow.getHandle(`aivenapp/${namespace}/e2e`).describe()).status.name === 'COMPLETED' ? true : undefined), 20_000, 'actor to end');
    for (const name of ['e2e-kafka', 'e2e-opensearch', 'e2e-valkey']) expect(await secretOrUndefined(namespace, name)).toBeDefined();

    const mark = await logMark();
    const started = Date.now();
    for (const name of ['e2e-kafka', 'e2e-opensearch', 'e2e-valkey']) await deleteSecret(namespace, name);
    for (const name of ['e2e-kafka', 'e2e-opensearch', 'e2e-valkey']) await waitSecretGone(namespace, name);
    process.stdout.write(`three Secrets finalized in ${Date.now() - started} ms\n`);

    for (const username of Object.values(users)) {
      const deletes = await callsFor(mark, 'deleteServiceUser', username);
      expect(deletes.map((d) => d.status)).toEqual([200]);
    }
    expect(await userExists(project(), 'kafka', users.kafka)).toBe(false);
    expect(await userExists(project(), osService, users.opensearch)).toBe(false);
    expect(await userExists(project(), `valkey-${namespace}-cache`, users.valkey)).toBe(false);
    expect((await fakeAiven().getOpenSearchAcl(project(), osService)).acls.map((a) => a.username)).not.toContain(users.opensearch);
    const reasons = (await eventsFor(namespace, 'e2e-kafka')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ServiceUserDeleted', 'CleanupFinished']));
  });

  it('keeps a failing Secret with the pending step and last error visible, and releases it on skipCleanup', async () => {
    const username = kafkaServiceUserName(namespace, 'stuck', 1);
    await aivenatorClient().createServiceUser(project(), 'kafka', { username });
    const secret = await createManagedSecret(namespace, 'stuck', { annotations: kafkaAnnotations(username), labels: { app: 'stuck' } });
    await fakeAiven().setKnobs({ operationFaults: { deleteServiceUser: { status: 500 } } });
    try {
      await deleteSecret(namespace, 'stuck');
      const handle = handleFor('stuck', secret.metadata!.uid!);
      const state = await eventually(async () => {
        const s = await handle.query<FinalizerState>(finalizerStateQuery);
        return s.lastError ? s : undefined;
      }, 30_000, 'a recorded failure');
      expect(state.pendingStep).toBe(`delete kafka user ${username} in pool ${project()}`);
      expect(state.lastError).toMatch(/deleteServiceUser failed: HTTP 500/);
      expect(state.phase).toBe('waiting-to-retry');
      expect(state.users).toEqual([{ handler: 'kafka', project: project(), username, status: 'pending' }]);
      const description = await handle.describe();
      expect(description.status.name).toBe('RUNNING');
      expect((await secretOrUndefined(namespace, 'stuck'))?.metadata?.finalizers).toEqual(['aivenator.aiven.nais.io/finalizer']);

      await handle.signal(skipCleanupSignal, { by: 'jane.operator', reason: 'project is being decommissioned' });
      await waitSecretGone(namespace, 'stuck', 15_000);
      const result = (await handle.result()) as FinalizerState;
      expect(result.outcome).toBe('skipped');
      expect(result.users[0].status).toBe('orphaned');
      const skipped = (await eventsFor(namespace, 'stuck')).find((e) => e.reason === 'CleanupSkipped');
      expect(skipped?.type).toBe('Warning');
      expect(skipped?.note).toContain('jane.operator');
      expect(skipped?.note).toContain('project is being decommissioned');
      expect(skipped?.note).toContain(username);
    } finally {
      await fakeAiven().setKnobs({ operationFaults: { deleteServiceUser: null } });
    }
    // Orphaned on purpose: the user is still in Aiven.
    expect(await userExists(project(), 'kafka', username)).toBe(true);
  });

  it('does not delete a user another live managed Secret still points at', async () => {
    const service = await createInstance(namespace, 'valkeys', 'shared');
    const username = valkeyUserName('sharer', 'read', 1);
    await aivenatorClient().createServiceUser(project(), service, { username });
    await createManagedSecret(namespace, 'shared-a', { annotations: valkeyAnnotations('shared', service, username), labels: { app: 'sharer' } });
    await createManagedSecret(namespace, 'shared-b', { annotations: valkeyAnnotations('shared', service, username), labels: { app: 'sharer' } });
    const mark = await logMark();

    await deleteSecret(namespace, 'shared-a');
    await waitSecretGone(namespace, 'shared-a');
    expect(await userExists(project(), service, username)).toBe(true);
    expect(await callsFor(mark, 'deleteServiceUser', username)).toEqual([]);
    const finished = (await eventsFor(namespace, 'shared-a')).find((e) => e.reason === 'CleanupFinished');
    // Named without its namespace: only Secrets of the same namespace count as evidence.
    expect(finished?.note).toContain('still used by Secret shared-b');

    await deleteSecret(namespace, 'shared-b');
    await waitSecretGone(namespace, 'shared-b');
    expect(await userExists(project(), service, username)).toBe(false);
    expect((await callsFor(mark, 'deleteServiceUser', username)).length).toBe(1);
  });

  it('waits for fixed annotations on a malformed Secret (Warning event, no hot loop), then cleans up', async () => {
    const username = kafkaServiceUserName(namespace, 'nopool', 1);
    await aivenatorClient().createServiceUser(project(), 'kafka', { username });
    const secret = await createManagedSecret(namespace, 'malformed', { annotations: { 'kafka.aiven.nais.io/serviceUser': username }, labels: { app: 'nopool' } });
    await deleteSecret(namespace, 'malformed');
    const handle = handleFor('malformed', secret.metadata!.uid!);
    const state = await eventually(async () => {
      const s = await handle.query<FinalizerState>(finalizerStateQuery);
      return s.phase === 'waiting-for-fix' ? s : undefined;
    }, 20_000, 'waiting-for-fix');
    expect(state.problems[0]).toMatch(/missing annotation kafka\.aiven\.nais\.io\/pool/);
    const warning = await eventually(async () => (await eventsFor(namespace, 'malformed')).find((e) => e.reason === 'CleanupBlocked'), 10_000, 'CleanupBlocked event');
    expect(warning.type).toBe('Warning');
    expect(warning.note).toContain('skipCleanup');

    // No hot loop: a few seconds later the workflow has not read the Secret again.
    const before = (await handle.fetchHistory()).events?.length ?? 0;
    await new Promise((r) => setTimeout(r, 3000));
    expect((await handle.fetchHistory()).events?.length ?? 0).toBe(before);

    await core.patchNamespacedSecret(
      { namespace, name: 'malformed', body: { metadata: { annotations: { 'kafka.aiven.nais.io/pool': project() } } } },
      mergePatch,
    );
    await waitSecretGone(namespace, 'malformed');
    expect(await userExists(project(), 'kafka', username)).toBe(false);
    expect(((await handle.result()) as FinalizerState).outcome).toBe('cleaned');
  });

  it('removes only its own finalizer', async () => {
    const secret = await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: {
          name: 'two-finalizers',
          labels: { type: 'aivenator.aiven.nais.io', app: 'hand-made' },
          finalizers: ['example.com/keep-me', 'aivenator.aiven.nais.io/finalizer'],
        },
      },
    });
    await deleteSecret(namespace, 'two-finalizers');
    await eventually(async () => {
      const s = await secretOrUndefined(namespace, 'two-finalizers');
      return s?.metadata?.finalizers?.length === 1 ? s : undefined;
    }, 20_000, 'our finalizer removed');
    expect((await secretOrUndefined(namespace, 'two-finalizers'))?.metadata?.finalizers).toEqual(['example.com/keep-me']);
    expect(((await handleFor('two-finalizers', secret.metadata!.uid!).result()) as FinalizerState).outcome).toBe('cleaned');
    await core.patchNamespacedSecret({ namespace, name: 'two-finalizers', body: { metadata: { finalizers: null } } }, mergePatch);
  });
});
