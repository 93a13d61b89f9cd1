// Credential health: drift behind Aivenator's back is repaired within one
// check interval, a healthy application costs no Aiven write, and a renewed
// Kafka certificate reaches the Secret and is acknowledged once.
import * as forge from 'node-forge';
import { noopMetrics } from '../../../src/metrics/hooks';
import { jsonPatch } from '../../../src/kube/clients';
import { stateQuery } from '../../../workflows';
import { appWorkflowId } from '../../../workflows/ids';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { appEvents, core, createApp, createInstance, decoded, getApp, secretOrUndefined } from '../reconcile/fixtures';

const INTERVAL_MS = 3000;
const AIVEN_WRITES = ['createServiceUser', 'modifyServiceUser', 'resetServiceUserCredentials', 'deleteServiceUser', 'updateOpenSearchAcl', 'setOpenSearchAcl'];

async function counts(): Promise<Record<string, number>> {
  return (await fakeAiven().getCounters()).byOperation as Record<string, number>;
}

describe('credential health', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  const expiries: { app: string; unixSeconds: number }[] = [];
  const project = () => world().aiven.mainProject;

  beforeAll(async () => {
    namespace = await freshNamespace('health');
    await createInstance(namespace, 'valkeys', 'cache');
    aivenator = await startAivenator({
      namespace,
      driftIntervalMs: INTERVAL_MS,
      metrics: { ...noopMetrics, certificateExpiry: (_ns, app, unixSeconds) => expiries.push({ app, unixSeconds }) },
    });
    await createApp(namespace, 'healthy', { kafka: { pool: 'dev-nais-dev', secretName: 'healthy-kafka' }, valkey: [{ instance: 'cache', secretName: 'healthy-cache' }] });
    await eventually(async () => ((await getApp(namespace, 'healthy')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 30_000, 'converged');
  });
  afterAll(() => aivenator?.stop());

  const handle = () => aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'healthy'));
  const kafkaUser = async () => decoded((await secretOrUndefined(namespace, 'healthy-kafka'))!).KAFKA_SCHEMA_REGISTRY_USER.toString();

  it('checks a healthy application without any Aiven write, and exposes the certificate expiry', async () => {
    const before = await counts();
    const checksBefore = (await handle().query(stateQuery)).lastHealthCheck?.at;
    // Two intervals: at least one check runs.
    await new Promise((r) => setTimeout(r, 2.2 * INTERVAL_MS));
    const state = await handle().query(stateQuery);
    expect(state.lastHealthCheck?.at).not.toBe(checksBefore);
    expect(state.lastHealthCheck?.drift).toEqual([]);
    const after = await counts();
    for (const op of AIVEN_WRITES) expect(after[op] ?? 0).toBe(before[op] ?? 0);
    const expiry = expiries.filter((e) => e.app === 'healthy').at(-1);
    expect(expiry).toBeDefined();
    const cert = forge.pki.certificateFromPem(decoded((await secretOrUndefined(namespace, 'healthy-kafka'))!).KAFKA_CERTIFICATE.toString());
    expect(Math.abs(expiry!.unixSeconds - cert.validity.notAfter.getTime() / 1000)).toBeLessThan(2);
  });

  it('repairs a user deleted in Aiven within one interval and says what drifted', async () => {
    const username = await kafkaUser();
    const oldCert = decoded((await secretOrUndefined(namespace, 'healthy-kafka'))!).KAFKA_CERTIFICATE.toString();
    await fakeAiven().deleteUser(project(), 'kafka', username);
    const deletedAt = Date.now();
    await eventually(async () => (decoded((await secretOrUndefined(namespace, 'healthy-kafka'))!).KAFKA_CERTIFICATE.toString() !== oldCert ? true : undefined), 4 * INTERVAL_MS, 'Secret repaired');
    // One interval (±10 % jitter), the shared user list's freshness and the repair itself.
    expect(Date.now() - deletedAt).toBeLessThan(2 * INTERVAL_MS + 3000);
    expect((await fakeAiven().listUsers(project(), 'kafka')).map((u) => u.username)).toContain(username);
    const drift = (await appEvents(namespace, 'healthy')).filter((e) => e.reason === 'DriftDetected');
    expect(drift.map((e) => e.note).join('\n')).toMatch(new RegExp(`healthy-kafka: UserMissing \\(service user ${username} no longer exists`));
    expect((await handle().query(stateQuery)).lastResult?.reason).toBe('Drift');
  });

  it('puts back keys edited away from a Secret', async () => {
    const secret = (await secretOrUndefined(namespace, 'healthy-cache'))!;
    const keys = Object.keys(secret.data ?? {});
    expect(keys).toContain('VALKEY_PASSWORD_CACHE');
    await core.patchNamespacedSecret({ namespace, name: 'healthy-cache', body: [{ op: 'remove', path: '/data/VALKEY_PASSWORD_CACHE' }] }, jsonPatch);
    await eventually(async () => ((await secretOrUndefined(namespace, 'healthy-cache'))!.data?.VALKEY_PASSWORD_CACHE ? true : undefined), 4 * INTERVAL_MS, 'key restored');
    const notes = (await appEvents(namespace, 'healthy')).filter((e) => e.reason === 'DriftDetected').map((e) => e.note).join('\n');
    expect(notes).toMatch(/healthy-cache: KeysMissing \(missing keys VALKEY_PASSWORD_CACHE\)/);
  });

  it('takes up a renewed Kafka certificate and acknowledges the renewal once', async () => {
    const username = await kafkaUser();
    const renewed = await fakeAiven().startRenewal(project(), 'kafka', username);
    expect(renewed.expiring_cert_not_valid_after_time).toBeDefined();
    const modifiesBefore = (await counts()).modifyServiceUser ?? 0;
    await eventually(async () => (decoded((await secretOrUndefined(namespace, 'healthy-kafka'))!).KAFKA_CERTIFICATE.toString() === renewed.access_cert ? true : undefined), 4 * INTERVAL_MS, 'renewed certificate in the Secret');
    await eventually(async () => ((await fakeAiven().getUser(project(), 'kafka', username))?.expiring_cert_not_valid_after_time === undefined ? true : undefined), 10_000, 'renewal acknowledged');
    // Later checks find nothing to renew: still one acknowledgement.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS));
    expect(((await counts()).modifyServiceUser ?? 0) - modifiesBefore).toBe(1);
    const secret = decoded((await secretOrUndefined(namespace, 'healthy-kafka'))!);
    expect(secret.KAFKA_PRIVATE_KEY.toString()).toBe(renewed.access_key);
    const events = (await appEvents(namespace, 'healthy-kafka')).filter((e) => e.reason === 'CertificateRenewed');
    expect(events).toHaveLength(1);
    expect((await handle().query(stateQuery)).lastHealthCheck).toBeDefined();
  });
});
