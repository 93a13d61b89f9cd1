// The reconcile pass's compensation (saga): no Aiven user is left that no
// Secret references, in the three ways one can arise.
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { createApp, createInstance, getApp, patchSpec, secretOrUndefined } from '../reconcile/fixtures';
import { openSearchUserName } from '../../../src/naming/names';
import { callsFor, eventsFor, logMark, userExists } from './fixtures';

const project = () => world().aiven.mainProject;

async function usernames(service: string): Promise<string[]> {
  return (await fakeAiven().listUsers(project(), service)).filter((u) => u.type !== 'primary').map((u) => u.username).sort();
}

describe('compensation of reconcile passes', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('saga');
    aivenator = await startAivenator({ namespace, replacedUserGraceMs: 1000 });
  });
  afterAll(async () => {
    await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: null } });
    await aivenator?.stop();
  });

  it('deletes the user a pass created before it failed permanently', async () => {
    const service = await createInstance(namespace, 'opensearches', 'perm');
    const username = openSearchUserName(namespace, 'read', 1, 'perm');
    const mark = await logMark();
    // Aiven refuses the ACL grant (a 4xx: permanent) after the user was created.
    await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: { status: 400, message: 'invalid ACL rule' } } });
    try {
      await createApp(namespace, 'perm', { openSearch: { instance: 'perm', access: 'read', secretName: 'perm-os' } });
      await eventually(async () => ((await getApp(namespace, 'perm')).status?.synchronizationState === 'RolloutFailed' ? true : undefined), 30_000, 'RolloutFailed');
      await eventually(async () => ((await usernames(service)).length === 0 ? true : undefined), 20_000, 'no user left in the service');
    } finally {
      await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: null } });
    }
    const log = (await fakeAiven().getRequestLog(mark)).entries;
    expect(log.filter((e) => e.operation === 'createServiceUser' && e.path.includes(`/service/${service}/`)).map((e) => e.status)).toEqual([200]);
    expect((await callsFor(mark, 'deleteServiceUser', username)).map((d) => d.status)).toEqual([200]);
    expect(await secretOrUndefined(namespace, 'perm-os')).toBeUndefined();
    const compensated = await eventually(async () => (await eventsFor(namespace, 'perm')).find((e) => e.reason === 'ServiceUserDeleted'), 10_000, 'ServiceUserDeleted event');
    expect(compensated.note).toContain(username);
    expect(compensated.note).toMatch(/created by a failed pass \(generation 1\) and never written to a Secret/);
    // The actor's history records the compensation: the child workflow that released the user.
    const history = await aivenator.client.workflow.getHandle(`aivenapp/${namespace}/perm`).fetchHistory();
    expect(history.events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name === 'releaseServiceUsersWorkflow')).toBe(true);
  });

  it('releases the old user of a Secret that keeps its name across generations (after the grace period)', async () => {
    const service = await createInstance(namespace, 'valkeys', 'kept');
    await createApp(namespace, 'keeper', { valkey: [{ instance: 'kept', access: 'read', secretName: 'keeper-valkey' }] });
    await eventually(async () => ((await getApp(namespace, 'keeper')).status?.synchronizedGeneration === 1 ? true : undefined), 30_000, 'generation 1 synced');
    const first = (await secretOrUndefined(namespace, 'keeper-valkey'))!.metadata!.annotations!['kept.valkey.aiven.nais.io/serviceUser'];
    expect(await usernames(service)).toEqual([first]);

    await patchSpec(namespace, 'keeper', { valkey: [{ instance: 'kept', access: 'readwrite', secretName: 'keeper-valkey' }] });
    await eventually(async () => ((await getApp(namespace, 'keeper')).status?.synchronizedGeneration === 2 ? true : undefined), 30_000, 'generation 2 synced');
    const second = (await secretOrUndefined(namespace, 'keeper-valkey'))!.metadata!.annotations!['kept.valkey.aiven.nais.io/serviceUser'];
    expect(second).not.toBe(first);
    await eventually(async () => ((await usernames(service)).join() === second ? true : undefined), 20_000, 'only the new user left');
  });

  it('settles a user from a transiently failed pass once a newer generation succeeds', async () => {
    const service = await createInstance(namespace, 'opensearches', 'flaky');
    await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: { status: 503 } } });
    try {
      await createApp(namespace, 'flaky', { openSearch: { instance: 'flaky', access: 'read', secretName: 'flaky-os' } });
      // Five attempts with backoff, then a transient pass failure (the actor would retry the same generation later).
      await eventually(async () => ((await getApp(namespace, 'flaky')).status?.synchronizationState === 'RolloutFailed' ? true : undefined), 40_000, 'RolloutFailed');
      expect((await usernames(service)).length).toBe(1);
    } finally {
      await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: null } });
    }
    const stale = (await usernames(service))[0];
    // A new generation (another access level, so another user) succeeds: the first user is never written anywhere.
    await patchSpec(namespace, 'flaky', { openSearch: { instance: 'flaky', access: 'write', secretName: 'flaky-os' } });
    await eventually(async () => ((await getApp(namespace, 'flaky')).status?.synchronizedGeneration === 2 ? true : undefined), 30_000, 'generation 2 synced');
    const current = (await secretOrUndefined(namespace, 'flaky-os'))!.metadata!.annotations!['opensearch.aiven.nais.io/serviceUser'];
    expect(current).not.toBe(stale);
    await eventually(async () => ((await usernames(service)).join() === current ? true : undefined), 20_000, 'the stale user deleted');
    expect(await userExists(project(), service, stale)).toBe(false);
    const acl = await fakeAiven().getOpenSearchAcl(project(), service);
    expect(acl.acls.map((a) => a.username)).toEqual([current]);
  });
});

describe('compensation when Aiven cannot be asked at once', () => {
  let aivenator: AivenatorUnderTest;
  let failLookups = true;
  afterAll(async () => {
    await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: null } });
    await aivenator?.stop();
  });

  it('keeps a failed entry whose user could not be looked up, and settles it at the next pass', async () => {
    const namespace = await freshNamespace('saga-retry');
    aivenator = await startAivenator({
      namespace,
      wrapActivities: (acts) => ({
        ...acts,
        findFailedSyncUser: async (input) => {
          if (failLookups) throw new Error('Aiven unavailable (test)');
          return acts.findFailedSyncUser(input);
        },
      }),
    });
    const service = await createInstance(namespace, 'opensearches', 'later');
    const firstUser = openSearchUserName(namespace, 'read', 1, 'later');
    await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: { status: 400, message: 'invalid ACL rule' } } });
    await createApp(namespace, 'later', { openSearch: { instance: 'later', access: 'read', secretName: 'later-os' } });
    await eventually(async () => ((await getApp(namespace, 'later')).status?.synchronizationState === 'RolloutFailed' ? true : undefined), 30_000, 'RolloutFailed');
    // The lookup failed (3 quick attempts): the user is still there, and still remembered.
    await new Promise((r) => setTimeout(r, 6000));
    expect(await usernames(service)).toContain(firstUser);

    failLookups = false;
    await fakeAiven().setKnobs({ operationFaults: { updateOpenSearchAcl: null } });
    await patchSpec(namespace, 'later', { openSearch: { instance: 'later', access: 'readwrite', secretName: 'later-os' } });
    await eventually(async () => ((await getApp(namespace, 'later')).status?.synchronizedGeneration === 2 ? true : undefined), 30_000, 'generation 2');
    await eventually(async () => ((await usernames(service)).includes(firstUser) ? undefined : true), 30_000, 'first user released');
    expect(await usernames(service)).toEqual([openSearchUserName(namespace, 'readwrite', 2, 'later')]);
  });
});
