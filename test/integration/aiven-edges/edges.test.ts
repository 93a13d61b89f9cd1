// The real Aiven API's rough edges (issue 15), end to end through a reconcile:
// the fake's knobs play the edge, Aivenator (worker + controller) reconciles an
// AivenApplication, and the test reads the Secret, the status and the fake's
// request log.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { AivenApplicationCondition } from '../../../src/kube/aivenapp-types';
import { AivenatorUnderTest, eventually, fakeAiven, isConverged, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { createApp, decoded, getApp, secretOrUndefined } from '../reconcile/fixtures';

const execFileAsync = promisify(execFile);
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const USER_ANNOTATION = 'kafka.aiven.nais.io/serviceUser';

async function converged(namespace: string, name: string): Promise<void> {
  await eventually(async () => (isConverged(await getApp(namespace, name)) ? true : undefined), 60_000, `${name} RolloutComplete`);
}

async function failedCondition(namespace: string, name: string): Promise<AivenApplicationCondition> {
  return eventually(async () => {
    const app = await getApp(namespace, name);
    if (app.status?.synchronizationState !== 'RolloutFailed') return undefined;
    return app.status.conditions?.find((c) => c.type === 'AivenFailure' && c.status === 'True');
  }, 60_000, `${name} RolloutFailed`);
}

const mainProject = (): string => world().aiven.mainProject;

describe('eventual consistency right after a create', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('edges-lag');
    aivenator = await startAivenator({ namespace });
  });
  afterAll(async () => {
    await fakeAiven().resetKnobs();
    await aivenator?.stop();
  });

  it('writes the real password, never an empty one: create (empty password) → retry: 409 → 404 → retry: 409 → read', async () => {
    const since = (await fakeAiven().getRequestLog()).entries.at(-1)?.seq ?? 0;
    // Every create answers an empty password once, and the user reads as 404 once after it.
    await fakeAiven().setKnobs({ emptyPasswordAnswers: 1, notFoundAfterCreate: 1 });
    await createApp(namespace, 'lagging', { kafka: { pool: mainProject(), secretName: 'lagging-kafka' } });
    await converged(namespace, 'lagging');
    const written = (await secretOrUndefined(namespace, 'lagging-kafka'))!;
    const username = written.metadata!.annotations![USER_ANNOTATION]!;
    const secret = decoded(written);
    const aivenUser = (await fakeAiven().getUser(mainProject(), 'kafka', username))!;
    expect(aivenUser.password).toMatch(/^AVNS_/);
    expect(secret.KAFKA_SCHEMA_REGISTRY_PASSWORD.toString()).toBe(aivenUser.password);
    for (const [key, value] of Object.entries(secret)) expect([key, value.length > 0]).toEqual([key, true]);

    // The way there, as the fake saw it.
    const calls = (await fakeAiven().getRequestLog(since)).entries
      .filter((e) => e.username === username && (e.operation === 'createServiceUser' || e.operation === 'getServiceUser'))
      .map((e) => `${e.operation} ${e.status}`);
    expect(calls).toEqual(['createServiceUser 200', 'createServiceUser 409', 'getServiceUser 404', 'createServiceUser 409', 'getServiceUser 200']);
  });

  it('treats a 409 without the "already exists" text as an existing user once reading it confirms', async () => {
    await fakeAiven().setKnobs({ emptyPasswordAnswers: 1, notFoundAfterCreate: 0, conflictMessage: 'Conflict' });
    await createApp(namespace, 'quiet-conflict', { kafka: { pool: mainProject(), secretName: 'quiet-conflict-kafka' } });
    await converged(namespace, 'quiet-conflict');
    const written = (await secretOrUndefined(namespace, 'quiet-conflict-kafka'))!;
    const username = written.metadata!.annotations![USER_ANNOTATION]!;
    expect(decoded(written).KAFKA_SCHEMA_REGISTRY_PASSWORD.toString()).toBe((await fakeAiven().getUser(mainProject(), 'kafka', username))!.password);
  });
});

describe('permissions', () => {
  const foreign = `foreign-${Date.now().toString(36)}`;
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('edges-403');
    await fakeAiven().putProject({ name: foreign, services: [{ name: 'kafka', type: 'kafka' }] });
    aivenator = await startAivenator({ namespace, projects: [...world().aiven.projects, foreign] });
  });
  afterAll(async () => {
    await fakeAiven().resetKnobs();
    await aivenator?.stop();
    await fakeAiven().deleteProject(foreign).catch(() => undefined);
  });

  it('a token without the secrets permission gets a condition naming the permission and the fix', async () => {
    // The create's empty password sends Aivenator to read the user with include_secrets, which is refused.
    await fakeAiven().setKnobs({ emptyPasswordAnswers: 1, forbidSecrets: true });
    await createApp(namespace, 'no-secrets', { kafka: { pool: mainProject(), secretName: 'no-secrets-kafka' } });
    const condition = await failedCondition(namespace, 'no-secrets');
    expect(condition.message).toMatch(/permission denied reading service-user credentials .*include_secrets=true.*service:secrets:read.*grant it/);
    expect(await secretOrUndefined(namespace, 'no-secrets-kafka')).toBeUndefined();
  });

  it('a project the token is not a member of gets a condition saying so', async () => {
    await fakeAiven().setKnobs({ forbidSecrets: false, emptyPasswordAnswers: 0, forbiddenProjects: [foreign] });
    await createApp(namespace, 'foreign', { kafka: { pool: foreign, secretName: 'foreign-kafka' } });
    const condition = await failedCondition(namespace, 'foreign');
    expect(condition.message).toContain(`permission denied in project "${foreign}": the token's user is probably not a member of the project`);
    expect(condition.message).toMatch(/remove the project from Aivenator's --projects/);
  });
});

describe('a CA bundle during a CA rotation', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  beforeAll(async () => {
    namespace = await freshNamespace('edges-ca');
    await fakeAiven().setKnobs({ caBundle: true });
    // A fresh Aivenator: the project CA is cached per process.
    aivenator = await startAivenator({ namespace });
  });
  afterAll(async () => {
    await fakeAiven().resetKnobs();
    await aivenator?.stop();
  });

  it('puts both certificates into AIVEN_CA, KAFKA_CA and the trust store', async () => {
    const bundle = await fakeAiven().getProjectCa(mainProject());
    const served = (await (await fetch(`${world().aiven.url}/v1/project/${mainProject()}/kms/ca`, { headers: { Authorization: `aivenv1 ${world().aiven.token}` } })).json()) as { certificate: string };
    const certs = served.certificate.match(PEM_BLOCK)!;
    expect(certs).toHaveLength(2);
    expect(certs[0]).toBe(bundle.match(PEM_BLOCK)![0]);

    await createApp(namespace, 'rotating', { kafka: { pool: mainProject(), secretName: 'rotating-kafka' } });
    await converged(namespace, 'rotating');
    const secret = decoded((await secretOrUndefined(namespace, 'rotating-kafka'))!);
    expect(secret.AIVEN_CA.toString().match(PEM_BLOCK)).toEqual(certs);
    expect(secret.KAFKA_CA.toString().match(PEM_BLOCK)).toEqual(certs);

    const dir = fs.mkdtempSync(path.join(world().dir, 'ca-bundle-'));
    const truststore = path.join(dir, 'client.truststore.jks');
    fs.writeFileSync(truststore, secret['client.truststore.jks']);
    const { stdout } = await execFileAsync('keytool', ['-list', '-rfc', '-keystore', truststore, '-storepass', secret.KAFKA_CREDSTORE_PASSWORD.toString()]);
    const trusted = stdout.match(PEM_BLOCK)!.map((pem) => pem.replace(/\s+/g, ''));
    expect(trusted.sort()).toEqual(certs.map((pem) => pem.replace(/\s+/g, '')).sort());
  });
});
