// Usage-aware retirement: a user replaced in a Secret that kept its name is
// deleted only when no pod can still hold it (every pod of the namespace that
// references the Secret started after the rewrite), then after the grace.
// Pods live in the real apiserver; without a kubelet their start time is set
// through the status subresource.
import * as k8s from '@kubernetes/client-node';
import { mergePatch } from '../../../src/kube/clients';
import { retirementQuery, stateQuery } from '../../../workflows';
import { appWorkflowId } from '../../../workflows/ids';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { core, createApp, createInstance, getApp, patchSpec, secretOrUndefined } from '../reconcile/fixtures';

const project = () => world().aiven.mainProject;
const USER_ANNOTATION = 'held.valkey.aiven.nais.io/serviceUser';

async function usernames(service: string): Promise<string[]> {
  return (await fakeAiven().listUsers(project(), service)).filter((u) => u.type !== 'primary').map((u) => u.username).sort();
}

/** A pod that uses the Secret as given, started at `startedAt` (no kubelet: the status subresource says so). */
async function runningPod(namespace: string, name: string, spec: Partial<k8s.V1PodSpec>, startedAt: Date): Promise<void> {
  await core.createNamespacedPod({ namespace, body: { metadata: { name }, spec: { containers: [{ name: 'app', image: 'example.invalid/app:1' }], ...spec } } });
  await core.patchNamespacedPodStatus({ namespace, name, body: { status: { phase: 'Running', startTime: startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z') } } }, mergePatch);
}

describe('usage-aware retirement of replaced users', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('retire');
    aivenator = await startAivenator({ namespace, replacedUserGraceMs: 500 });
    // Look at the pods every second (production: every 2 minutes).
    aivenator.deps.replacedUserRecheckMs = 1000;
  });
  afterAll(() => aivenator?.stop());

  it('keeps the old user while a pod started before the rewrite references the Secret, and retires it once that pod is gone', async () => {
    const service = await createInstance(namespace, 'valkeys', 'held');
    await createApp(namespace, 'holder', { valkey: [{ instance: 'held', access: 'read', secretName: 'holder-valkey' }] });
    await eventually(async () => ((await getApp(namespace, 'holder')).status?.synchronizedGeneration === 1 ? true : undefined), 30_000, 'generation 1 synced');
    const first = (await secretOrUndefined(namespace, 'holder-valkey'))!.metadata!.annotations![USER_ANNOTATION];

    // Four ways to reference the Secret; two pods started before the rewrite, one a minute ago.
    const before = new Date(Date.now() - 60_000);
    await runningPod(namespace, 'old-env-from', { containers: [{ name: 'app', image: 'x', envFrom: [{ secretRef: { name: 'holder-valkey' } }] }] }, before);
    await runningPod(namespace, 'old-projected', { volumes: [{ name: 'creds', projected: { sources: [{ secret: { name: 'holder-valkey' } }] } }] }, before);
    await runningPod(namespace, 'unrelated', { volumes: [{ name: 'other', secret: { secretName: 'someone-else' } }] }, before);

    // A hand edit (protected) keeps the Secret's name across generations: the Secret is rewritten with a new user.
    await patchSpec(namespace, 'holder', { protected: true });
    await eventually(async () => ((await getApp(namespace, 'holder')).status?.synchronizedGeneration === 2 ? true : undefined), 30_000, 'generation 2 synced');
    const second = (await secretOrUndefined(namespace, 'holder-valkey'))!.metadata!.annotations![USER_ANNOTATION];
    expect(second).not.toBe(first);

    // The actor shows the retirement it started; the retirement shows what it waits for.
    const actor = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'holder'));
    const retiring = await eventually(async () => (await actor.query(stateQuery)).saga?.retiring?.find((r) => r.users.some((u) => u.includes(first))), 20_000, 'retirement in the actor state');
    expect(retiring.secrets).toEqual(['holder-valkey']);
    const retirement = aivenator.client.workflow.getHandle(retiring.workflowId);
    const waiting = await eventually(async () => {
      const st = await retirement.query(retirementQuery);
      return st.phase === 'waiting-for-pods' && st.checks >= 3 ? st : undefined;
    }, 20_000, 'three checks that found old pods');
    expect(waiting.holders?.count).toBe(2);
    expect(waiting.holders?.pods.map((p) => p.pod).sort()).toEqual(['old-env-from', 'old-projected']);
    expect(waiting.forcedAt).toBeUndefined(); // no maximum age by default
    expect((await retirement.describe()).status.name).toBe('RUNNING');
    expect(await usernames(service)).toEqual([first, second].sort());

    // A rollout: a new pod (started now, with the new credentials) replaces the old ones one by one.
    await runningPod(namespace, 'new-env', { containers: [{ name: 'app', image: 'x', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'holder-valkey', key: 'VALKEY_PASSWORD_HELD' } } }] }] }, new Date());
    await core.deleteNamespacedPod({ namespace, name: 'old-env-from', gracePeriodSeconds: 0 });
    await eventually(async () => ((await retirement.query(retirementQuery)).holders?.count === 1 ? true : undefined), 20_000, 'one old pod left');
    expect(await usernames(service)).toContain(first);

    await core.deleteNamespacedPod({ namespace, name: 'old-projected', gracePeriodSeconds: 0 });
    const result = await retirement.result();
    expect(result.deleted).toEqual([expect.stringContaining(first)]);
    expect(await usernames(service)).toEqual([second]);
    expect((await retirement.query(retirementQuery)).phase).toBe('done');
  });

  it('forces the retirement at the configured maximum age although an old pod remains', async () => {
    aivenator.deps.replacedUserMaxAgeMs = 3000;
    try {
      const service = await createInstance(namespace, 'valkeys', 'aged');
      await createApp(namespace, 'aged', { valkey: [{ instance: 'aged', access: 'read', secretName: 'aged-valkey' }] });
      await eventually(async () => ((await getApp(namespace, 'aged')).status?.synchronizedGeneration === 1 ? true : undefined), 30_000, 'generation 1 synced');
      const first = (await secretOrUndefined(namespace, 'aged-valkey'))!.metadata!.annotations!['aged.valkey.aiven.nais.io/serviceUser'];
      await runningPod(namespace, 'stuck', { volumes: [{ name: 'creds', secret: { secretName: 'aged-valkey' } }] }, new Date(Date.now() - 60_000));
      await patchSpec(namespace, 'aged', { protected: true });
      await eventually(async () => ((await getApp(namespace, 'aged')).status?.synchronizedGeneration === 2 ? true : undefined), 30_000, 'generation 2 synced');
      const actor = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'aged'));
      const retiring = await eventually(async () => (await actor.query(stateQuery)).saga?.retiring?.[0], 20_000, 'retirement started');
      const retirement = aivenator.client.workflow.getHandle(retiring.workflowId);
      const result = await retirement.result();
      expect(result.deleted).toEqual([expect.stringContaining(first)]);
      const st = await retirement.query(retirementQuery);
      expect(st.forced).toBe(true);
      expect(st.holders?.pods.map((p) => p.pod)).toEqual(['stuck']);
      expect(await usernames(service)).not.toContain(first);
    } finally {
      aivenator.deps.replacedUserMaxAgeMs = undefined;
    }
  });
});
