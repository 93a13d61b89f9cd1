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
    await createInstance(namespace, 'opensearches', 'logs');
    aivenator = await startAivenator({
      namespace,
      driftIntervalMs: INTERVAL_MS,
      metrics: { ...noopMetrics, certificateExpiry: (_ns, app, unixSeconds) => expiries.push({ app, unixSeconds }) },
    });
    await createApp(namespace, 'healthy', { kafka: { pool: 'dev-nais-dev', secretName: 'healthy-kafka' }, valkey: [{ instance: 'cache', secretName: 'healthy-cache' }] });
    await createApp(namespace, 'search', { openSearch: { instance: 'logs', access: 'read', secretName: 'search-os' } });
    await eventually(async () => ((await getApp(namespace, 'healthy')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 30_000, 'converged');
    await eventually(async () => ((await getApp(namespace, 'search')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 30_000, 'search converged');
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
    // Only the broken Secret: a sync of that entry alone, no full pass, the Valkey Secret untouched.
    const state = await eventually(async () => {
      const st = await handle().query(stateQuery);
      return st.lastHealthCheck?.repaired?.some((r) => r.startsWith('healthy-kafka: synchronised')) ? st : undefined;
    }, 4 * INTERVAL_MS, 'repair recorded');
    expect(state.lastHealthCheck?.repaired?.some((r) => r.startsWith('healthy-cache'))).toBe(false);
    expect(state.lastResult?.reason).not.toBe('Drift');
  });

  it('puts back keys edited away from a Secret', async () => {
    const secret = (await secretOrUndefined(namespace, 'healthy-cache'))!;
    const keys = Object.keys(secret.data ?? {});
    expect(keys).toContain('VALKEY_PASSWORD_CACHE');
    const before = await counts();
    const kafkaVersion = (await secretOrUndefined(namespace, 'healthy-kafka'))!.metadata!.resourceVersion;
    await core.patchNamespacedSecret({ namespace, name: 'healthy-cache', body: [{ op: 'remove', path: '/data/VALKEY_PASSWORD_CACHE' }] }, jsonPatch);
    await eventually(async () => ((await secretOrUndefined(namespace, 'healthy-cache'))!.data?.VALKEY_PASSWORD_CACHE ? true : undefined), 4 * INTERVAL_MS, 'key restored');
    // Filled in place: the same user and the same password, no user created, the other Secret not written.
    const repaired = (await secretOrUndefined(namespace, 'healthy-cache'))!;
    expect(repaired.data!.VALKEY_PASSWORD_CACHE).toBe(secret.data!.VALKEY_PASSWORD_CACHE);
    expect(repaired.data!.VALKEY_USERNAME_CACHE).toBe(secret.data!.VALKEY_USERNAME_CACHE);
    expect(repaired.metadata!.annotations!['cache.valkey.aiven.nais.io/serviceUser']).toBe(secret.metadata!.annotations!['cache.valkey.aiven.nais.io/serviceUser']);
    expect(((await counts()).createServiceUser ?? 0) - (before.createServiceUser ?? 0)).toBe(0);
    expect((await secretOrUndefined(namespace, 'healthy-kafka'))!.metadata!.resourceVersion).toBe(kafkaVersion);
    const notes = (await appEvents(namespace, 'healthy')).filter((e) => e.reason === 'DriftDetected').map((e) => e.note).join('\n');
    expect(notes).toMatch(/healthy-cache: KeysMissing \(missing keys VALKEY_PASSWORD_CACHE\)/);
  });

  it('leaves an OpenSearch Secret in the shape Go wrote before December 2025 (no dashboard keys) alone', async () => {
    const searchHandle = aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'search'));
    const body = ['OPEN_SEARCH_DASHBOARD_URI', 'OPEN_SEARCH_DASHBOARD_HOST', 'OPEN_SEARCH_DASHBOARD_PORT'].map((k) => ({ op: 'remove', path: `/data/${k}` }));
    const old = await core.patchNamespacedSecret({ namespace, name: 'search-os', body }, jsonPatch);
    const before = await counts();
    const checked = (await searchHandle.query(stateQuery)).lastHealthCheck?.at;
    // Two checks after the edit, to be sure one saw it.
    await eventually(async () => {
      const st = await searchHandle.query(stateQuery);
      return st.lastHealthCheck?.at && st.lastHealthCheck.at !== checked ? st.lastHealthCheck.at : undefined;
    }, 4 * INTERVAL_MS, 'a check after the edit').then((at) =>
      eventually(async () => ((await searchHandle.query(stateQuery)).lastHealthCheck?.at !== at ? true : undefined), 4 * INTERVAL_MS, 'a second check'));
    const st = await searchHandle.query(stateQuery);
    expect(st.lastHealthCheck?.drift).toEqual([]);
    expect((await secretOrUndefined(namespace, 'search-os'))!.metadata!.resourceVersion).toBe(old.metadata!.resourceVersion);
    const after = await counts();
    for (const op of AIVEN_WRITES) expect(after[op] ?? 0).toBe(before[op] ?? 0);
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
