// The compensation path with forged input: a tenant plants a managed-looking
// Secret naming another team's user, then points its own application at it.
// The pass rewrites the Secret, so the "replaced" user goes to
// releaseServiceUsersWorkflow — whose delete activity re-derives provenance
// against the tenant's application and refuses. A hand-started finalizer for
// the victim's live Secret does nothing either.
import { AivenClient } from '../../../src/aiven/client';
import { noopMetrics } from '../../../src/metrics/hooks';
import type { ReleaseUsersResult } from '../../../workflows/compensation';
import { kafkaServiceUserName } from '../../../src/naming/names';
import { FinalizerState, secretFinalizerWorkflow, secretFinalizerWorkflowId } from '../../../workflows/secret-finalizer';
import { AivenatorUnderTest, eventually, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { callsFor, kafkaAnnotations, logMark, userExists } from '../lifecycle/fixtures';
import { appEvents, createApp, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { Tenant, forge, tenantIn } from './tenant';

const project = () => world().aiven.mainProject;

describe('tenant safety: compensation and hand-started finalizers', () => {
  let aivenator: AivenatorUnderTest;
  let orders: string;
  let tenant: Tenant;
  let victimUser: string;
  const refusals: string[] = [];

  beforeAll(async () => {
    orders = await freshNamespace('orders');
    tenant = await tenantIn(await freshNamespace('analytics'));
    aivenator = await startAivenator({ namespace: '', replacedUserGraceMs: 200, metrics: { ...noopMetrics, cleanupRefused: (reason) => void refusals.push(reason) } });
    await createApp(orders, 'checkout', { kafka: { pool: project(), secretName: 'checkout-kafka' } });
    await eventually(async () => ((await getApp(orders, 'checkout')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 60_000, 'checkout converged');
    victimUser = (await secretOrUndefined(orders, 'checkout-kafka'))!.metadata!.annotations!['kafka.aiven.nais.io/serviceUser'];
  }, 120_000);
  afterAll(() => aivenator?.stop(), 60_000);

  /** The release workflows the application's actor started, once they are done. */
  async function releases(namespace: string, app: string): Promise<ReleaseUsersResult[]> {
    const ids = await eventually(async () => {
      const history = await aivenator.client.workflow.getHandle(`aivenapp/${namespace}/${app}`).fetchHistory();
      const found = (history.events ?? [])
        .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
        .filter((a) => a?.workflowType?.name === 'releaseServiceUsersWorkflow')
        .map((a) => a!.workflowId!);
      return found.length > 0 ? found : undefined;
    }, 30_000, `a release started by ${namespace}/${app}`);
    return Promise.all(ids.map((id) => aivenator.client.workflow.getHandle(id).result() as Promise<ReleaseUsersResult>));
  }

  async function adopt(app: string, user: string): Promise<void> {
    await forge(tenant, `${app}-kafka`, kafkaAnnotations(user), app);
    await createApp(tenant.namespace, app, { kafka: { pool: project(), secretName: `${app}-kafka` } });
    await eventually(async () => ((await getApp(tenant.namespace, app)).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 60_000, `${app} converged`);
    // The tenant's application got its own user, in its own (now signed) Secret.
    const written = (await secretOrUndefined(tenant.namespace, `${app}-kafka`))!.metadata!.annotations!;
    expect(written['kafka.aiven.nais.io/serviceUser']).toBe(kafkaServiceUserName(tenant.namespace, app, 1));
    expect(written['aivenator.aiven.nais.io/signature']).toMatch(/^v1\./);
  }

  it("a forged Secret adopted by the tenant's own application releases neither an unreferenced foreign user nor the victim's", async () => {
    const mark = await logMark();
    // A user nobody's Secret names (made directly in Aiven): the release reaches the delete activity, which refuses.
    const direct = 'made-directly-in-aiven';
    await new AivenClient({ baseUrl: world().aiven.url, token: world().aiven.token }).createServiceUser(project(), 'kafka', { username: direct });
    await adopt('reporter', direct);
    const [released] = await releases(tenant.namespace, 'reporter');
    expect(released.deleted).toEqual([]);
    const refused = await eventually(async () => (await appEvents(tenant.namespace, 'reporter')).find((e) => e.reason === 'CleanupRefused'), 10_000, 'CleanupRefused on reporter');
    expect(refused.type).toBe('Warning');
    expect(refused.note).not.toContain(direct); // a user from the workflow's input is not named back
    expect(refusals).toContain('name-mismatch');
    expect(await userExists(project(), 'kafka', direct)).toBe(true);

    // The victim's current user: kept (its own Secret still names it), never deleted.
    await adopt('auditor', victimUser);
    const [again] = await releases(tenant.namespace, 'auditor');
    expect(again.deleted).toEqual([]);
    for (const user of [direct, victimUser]) expect(await callsFor(mark, 'deleteServiceUser', user)).toEqual([]);
    expect(await userExists(project(), 'kafka', victimUser)).toBe(true);
  });

  it("a finalizer started by hand for the victim's live Secret deletes nothing and keeps its finalizer", async () => {
    const secret = (await secretOrUndefined(orders, 'checkout-kafka'))!;
    const mark = await logMark();
    const result = await aivenator.client.workflow.execute(secretFinalizerWorkflow, {
      taskQueue: aivenator.taskQueue,
      workflowId: `${secretFinalizerWorkflowId(orders, 'checkout-kafka', secret.metadata!.uid!)}-by-hand`,
      args: [{ namespace: orders, name: 'checkout-kafka', uid: secret.metadata!.uid! }],
    }) as FinalizerState;
    expect(result.outcome).toBe('not-terminating');
    expect(await callsFor(mark, 'deleteServiceUser', victimUser)).toEqual([]);
    expect((await secretOrUndefined(orders, 'checkout-kafka'))?.metadata?.finalizers).toEqual(['aivenator.aiven.nais.io/finalizer']);
    expect(await userExists(project(), 'kafka', victimUser)).toBe(true);
  });
});
