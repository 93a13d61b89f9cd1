// An AivenApplication with Kafka, OpenSearch and two Valkey instances converges
// against the real apiserver, the real Temporal server and the fake Aiven.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as forge from 'node-forge';
import { FINALIZER } from '../../../src/handlers/secret-meta';
import { specHash } from '../../../src/naming/spec-hash';
import { AivenatorUnderTest, fakeAiven, startAivenator } from '../../env/aivenator';
import { PROGRESS_TEST_TIMEOUT_MS, actorProgress, untilDone } from '../../env/progress';
import { freshNamespace, world } from '../../env/world';
import { appWorkflowId } from '../../../workflows/ids';
import { historyText } from '../../env/history';
import { appEvents, createApp, createInstance, decoded, getApp, secretOrUndefined } from './fixtures';

// Waits fail when the actor stops moving (test/env/progress.ts), not on a clock.
jest.setTimeout(PROGRESS_TEST_TIMEOUT_MS);

const KAFKA_KEYS = [
  'AIVEN_CA', 'AIVEN_SECRET_UPDATED', 'KAFKA_BROKERS', 'KAFKA_CA', 'KAFKA_CERTIFICATE', 'KAFKA_CREDSTORE_PASSWORD', 'KAFKA_PRIVATE_KEY',
  'KAFKA_SCHEMA_REGISTRY', 'KAFKA_SCHEMA_REGISTRY_PASSWORD', 'KAFKA_SCHEMA_REGISTRY_USER', 'KAFKA_SECRET_UPDATED',
  'client.keystore.p12', 'client.truststore.jks',
];
const OPENSEARCH_KEYS = [
  'AIVEN_CA', 'AIVEN_SECRET_UPDATED', 'OPEN_SEARCH_DASHBOARD_HOST', 'OPEN_SEARCH_DASHBOARD_PORT', 'OPEN_SEARCH_DASHBOARD_URI',
  'OPEN_SEARCH_HOST', 'OPEN_SEARCH_PASSWORD', 'OPEN_SEARCH_PORT', 'OPEN_SEARCH_URI', 'OPEN_SEARCH_USERNAME',
];
const valkeyKeys = (k: string, replica: boolean) => [
  'AIVEN_CA', 'AIVEN_SECRET_UPDATED',
  ...['USERNAME', 'PASSWORD', 'URI', 'HOST', 'PORT'].flatMap((f) => [`VALKEY_${f}_${k}`, `REDIS_${f}_${k}`]),
  ...(replica ? ['VALKEY_REPLICA_URI', 'VALKEY_REPLICA_HOST', 'VALKEY_REPLICA_PORT'].map((f) => `${f}_${k}`) : []),
].sort();

describe('an application with every kind of service converges', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  const spec = {
    kafka: { pool: 'dev-nais-dev', secretName: 'app-kafka' },
    openSearch: { instance: 'logs', access: 'readwrite', secretName: 'app-opensearch' },
    valkey: [
      { instance: 'cache', access: 'read', secretName: 'app-valkey-cache' },
      { instance: 'sessions', access: 'admin', secretName: 'app-valkey-sessions' },
    ],
  };

  beforeAll(async () => {
    namespace = await freshNamespace('converge');
    await createInstance(namespace, 'opensearches', 'logs');
    await createInstance(namespace, 'valkeys', 'cache');
    await createInstance(namespace, 'valkeys', 'sessions', { replica: true });
    aivenator = await startAivenator({ namespace });
    await createApp(namespace, 'myapp', spec, { 'aiven.nais.io/secret-generation': '3' });
    await untilDone(async () => ((await getApp(namespace, 'myapp')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), actorProgress(aivenator.client, namespace, 'myapp'), 'RolloutComplete');
  });
  afterAll(() => aivenator?.stop());

  it('writes the status as the reference', async () => {
    const app = await getApp(namespace, 'myapp');
    expect(app.status).toMatchObject({
      synchronizationHash: specHash(spec),
      synchronizationState: 'RolloutComplete',
      synchronizedGeneration: 1,
      observedGeneration: 1,
    });
    const conditions = Object.fromEntries((app.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toEqual({ Succeeded: 'True', AivenFailure: 'False', LocalFailure: 'False' });
  });

  it('writes one Secret per entry with exactly the reference keys, labels, annotations and finalizer', async () => {
    const expected: Record<string, string[]> = {
      'app-kafka': KAFKA_KEYS,
      'app-opensearch': OPENSEARCH_KEYS,
      'app-valkey-cache': valkeyKeys('CACHE', false),
      'app-valkey-sessions': valkeyKeys('SESSIONS', true),
    };
    for (const [name, keys] of Object.entries(expected)) {
      const secret = (await secretOrUndefined(namespace, name))!;
      expect(Object.keys(secret.data ?? {}).sort()).toEqual([...keys].sort());
      expect(secret.metadata?.labels).toEqual({
        app: 'myapp',
        team: namespace,
        type: 'aivenator.aiven.nais.io',
        'aiven.nais.io/secret-generation': '3',
        'aivenator.aiven.nais.io/protected': 'false',
      });
      expect(secret.metadata?.finalizers).toEqual([FINALIZER]);
      expect(secret.metadata?.annotations).toMatchObject({ 'nais.io/deploymentCorrelationID': '', 'aivenator.aiven.nais.io/protected': 'false' });
      expect(secret.metadata?.ownerReferences).toBeUndefined();
    }
    const project = world().aiven.mainProject;
    expect((await secretOrUndefined(namespace, 'app-kafka'))!.metadata?.annotations).toMatchObject({
      'kafka.aiven.nais.io/serviceUser': expect.stringMatching(/^converge-.*_myapp_[0-9a-f]{8}_...$/),
      'kafka.aiven.nais.io/pool': 'dev-nais-dev',
    });
    expect((await secretOrUndefined(namespace, 'app-opensearch'))!.metadata?.annotations).toMatchObject({
      'opensearch.aiven.nais.io/serviceUser': expect.stringMatching(new RegExp(`^${namespace}-rw-...$`)),
      'opensearch.aiven.nais.io/serviceName': `opensearch-${namespace}-logs`,
      'opensearch.aiven.nais.io/project': project,
    });
    expect((await secretOrUndefined(namespace, 'app-valkey-sessions'))!.metadata?.annotations).toMatchObject({
      'sessions.valkey.aiven.nais.io/serviceUser': expect.stringMatching(/^myapp-...$/),
      'sessions.valkey.aiven.nais.io/serviceName': `valkey-${namespace}-sessions`,
      'valkey.aiven.nais.io/project': project,
    });
  });

  it('writes credentials that belong to the Aiven users', async () => {
    const project = world().aiven.mainProject;
    const cache = decoded((await secretOrUndefined(namespace, 'app-valkey-cache'))!);
    const users = await fakeAiven().listUsers(project, `valkey-${namespace}-cache`);
    const user = users.find((u) => u.username === cache.VALKEY_USERNAME_CACHE.toString())!;
    expect(user.password).toBe(cache.VALKEY_PASSWORD_CACHE.toString());
    expect(user.access_control?.valkey_acl_categories).toEqual(['-@all', '+@connection', '+@scripting', '+@pubsub', '+@transaction', '+@read']);
    expect(cache.REDIS_URI_CACHE.toString()).toBe(cache.VALKEY_URI_CACHE.toString().replace('valkeys', 'rediss'));
    const acl = await fakeAiven().getOpenSearchAcl(project, `opensearch-${namespace}-logs`);
    const osUser = decoded((await secretOrUndefined(namespace, 'app-opensearch'))!).OPEN_SEARCH_USERNAME.toString();
    expect(acl.enabled).toBe(true);
    expect(acl.acls.find((a) => a.username === osUser)?.rules).toEqual([
      { index: '_*', permission: 'readwrite' },
      { index: '*', permission: 'readwrite' },
    ]);
  });

  it('writes key stores that open with the store password and hold the key, certificate and CA', async () => {
    const kafka = decoded((await secretOrUndefined(namespace, 'app-kafka'))!);
    const password = kafka.KAFKA_CREDSTORE_PASSWORD.toString();
    expect(password).not.toBe('changeme');
    expect(password.length).toBeGreaterThanOrEqual(24);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stores-'));
    fs.writeFileSync(path.join(dir, 'k.p12'), kafka['client.keystore.p12']);
    fs.writeFileSync(path.join(dir, 't.jks'), kafka['client.truststore.jks']);
    const keystore = execFileSync('keytool', ['-list', '-keystore', path.join(dir, 'k.p12'), '-storetype', 'PKCS12', '-storepass', password]).toString();
    expect(keystore).toMatch(/PrivateKeyEntry/);
    const truststore = execFileSync('keytool', ['-list', '-keystore', path.join(dir, 't.jks'), '-storetype', 'JKS', '-storepass', password]).toString();
    expect(truststore).toMatch(/^ca, .*trustedCertEntry/m);
    expect(() => execFileSync('keytool', ['-list', '-keystore', path.join(dir, 't.jks'), '-storetype', 'JKS', '-storepass', 'wrong-password'], { stdio: 'pipe' })).toThrow();

    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(kafka['client.keystore.p12'].toString('binary')), password);
    const cert = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag]![0].cert!;
    expect(forge.pki.certificateToPem(cert).replace(/\r/g, '').trim()).toBe(kafka.KAFKA_CERTIFICATE.toString().replace(/\r/g, '').trim());
    const ca = forge.pki.certificateFromPem(kafka.KAFKA_CA.toString());
    expect(ca.verify(cert)).toBe(true);
  });

  it('keeps every credential the fake issued out of the workflow history', async () => {
    const history = await aivenator.client.workflow.getHandle(appWorkflowId(namespace, 'myapp')).fetchHistory();
    const text = historyText(history);
    // The history really describes the pass: user and Secret names are there.
    expect(text).toContain('app-valkey-sessions');
    const issued = await fakeAiven().listIssuedSecrets();
    expect(issued.filter((s) => s.kind === 'password').length).toBeGreaterThanOrEqual(4);
    expect(issued.some((s) => s.kind === 'private_key')).toBe(true);
    // A JSON payload escapes a PEM's newlines, so its body lines are searched too.
    const leaks = issued.filter((s) => text.includes(s.value) || text.includes(pemBody(s.value)));
    expect(leaks.map((s) => `${s.kind} of ${s.username}`)).toEqual([]);
  });

  it('records events for the application and its Secrets', async () => {
    const reasons = (await appEvents(namespace, 'myapp')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['HashChanged', 'Synchronized']));
    const secretReasons = (await appEvents(namespace, 'app-kafka')).map((e) => e.reason);
    expect(secretReasons).toContain('SecretCreated');
  });
});

/** One 64-character base64 line from inside a PEM (unique enough), or the value itself. */
function pemBody(value: string): string {
  const lines = value.split('\n').filter((l) => l && !l.startsWith('-----'));
  return lines.length > 2 ? lines[1] : value;
}
