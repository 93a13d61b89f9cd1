// `aivenator plan`: manifests in, Secrets, keys, users and problems out,
// computed with the same code the activities run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Io } from '../../../src/cli/common';
import { planCommand } from '../../../src/cli/commands/plan';
import { parseManifests, planApp } from '../../../src/cli/plan';
import { specHash } from '../../../src/naming/spec-hash';

const FIXTURE = path.join(__dirname, 'fixtures', 'apps.yaml');
const options = { projects: ['dev-nais-dev'], mainProject: 'dev-nais-dev', defaultNamespace: 'default', generation: 0 };

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), interactive: false };
}

describe('plan', () => {
  const { apps, skipped } = parseManifests(fs.readFileSync(FIXTURE, 'utf8'));

  it('reads the AivenApplications of a multi-document file and skips the rest', () => {
    expect(apps.map((a) => a.metadata.name)).toEqual(['test-app', 'broken']);
    expect(skipped).toEqual(['Deployment/test-app']);
  });

  it('names the users as the reference does (generation 0 + test-app gives suffix 3D_)', () => {
    const plan = planApp(apps[0], options);
    const users = Object.fromEntries(plan.secrets.map((s) => [s.service === 'valkey' ? 'valkey' : s.service, s.username]));
    expect(users.kafka).toMatch(/^a_test-app_[0-9a-f]{8}_3D_$/);
    expect(users.opensearch).toBe('team-a-rw-3D_');
    expect(users.valkey).toBe('test-app-r-3D_');
    expect(plan.specHash).toBe(specHash(apps[0].spec));
    expect(plan.problems).toEqual([]);
  });

  it('lists every key of every Secret, the replica keys apart', () => {
    const plan = planApp(apps[0], options);
    const [kafka, opensearch, valkey] = plan.secrets;
    expect(kafka.keys).toEqual(expect.arrayContaining(['AIVEN_CA', 'KAFKA_BROKERS', 'KAFKA_CREDSTORE_PASSWORD', 'client.keystore.p12', 'client.truststore.jks']));
    expect(kafka.keys).toHaveLength(13);
    expect(kafka.serviceNames).toEqual(['kafka', 'dev-nais-dev-kafka']);
    expect(opensearch.keys).toHaveLength(10);
    expect(opensearch.serviceNames).toEqual(['opensearch-team-a-logs', 'logs']);
    expect(opensearch.grants).toEqual(['index _* readwrite', 'index * readwrite']);
    expect(valkey.keys).toEqual(expect.arrayContaining(['VALKEY_URI_SESSION_STORE', 'REDIS_URI_SESSION_STORE']));
    expect(valkey.conditionalKeys).toEqual(['VALKEY_REPLICA_URI_SESSION_STORE', 'VALKEY_REPLICA_HOST_SESSION_STORE', 'VALKEY_REPLICA_PORT_SESSION_STORE']);
    expect(valkey.annotations['session-store.valkey.aiven.nais.io/serviceName']).toBe('valkey-team-a-session-store');
    expect(kafka.labels).toEqual({ app: 'test-app', team: 'team-a', type: 'aivenator.aiven.nais.io', 'aiven.nais.io/secret-generation': '0', 'aivenator.aiven.nais.io/protected': 'false' });
  });

  it('reports what would fail, and the deprecated field', () => {
    const plan = planApp(apps[1], options);
    expect(plan.namespace).toBe('default');
    expect(plan.problems.map((p) => p.reason).sort()).toEqual(['InvalidSecretName', 'PoolNotAllowed']);
    expect(plan.warnings.join('\n')).toMatch(/secretName is deprecated/);
  });

  it('prints a readable plan and exits 1 when an application would fail', async () => {
    const io = capture();
    const code = await planCommand(FIXTURE, { generation: '0', projects: 'dev-nais-dev', mainProject: 'dev-nais-dev' }, io);
    expect(code).toBe(1);
    const text = io.stdout.join('\n');
    expect(text).toContain('AivenApplication team-a/test-app: 3 Secret(s)');
    expect(text).toMatch(/Secret aiven-kafka-test-app-2026-14-0 \(kafka\)\n {4}user: {5}a_test-app_[0-9a-f]{8}_3D_ in dev-nais-dev\/kafka or dev-nais-dev-kafka/);
    expect(text).toContain('AivenApplication default/broken: would FAIL (RolloutFailed)');
    expect(text).toContain('problem:    PoolNotAllowed');
    expect(io.stderr.join('\n')).toContain('skipped 1 other object(s): Deployment/test-app');
  });

  it('--output json carries the same plan', async () => {
    const io = capture();
    await planCommand(FIXTURE, { output: 'json', generation: '0', projects: 'dev-nais-dev' }, io);
    const out = JSON.parse(io.stdout.join('\n')) as { applications: { name: string; secrets: { username: string }[] }[] };
    expect(out.applications.map((a) => a.name)).toEqual(['test-app', 'broken']);
    expect(out.applications[0].secrets[1].username).toBe('team-a-rw-3D_');
  });
});

describe('plan flags what Aiven would refuse', () => {
  const app = (spec: object, name = 'shop', namespace = 'orders') => ({ apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name, namespace }, spec }) as Parameters<typeof planApp>[0];

  it('a user name over 64 characters (Valkey and OpenSearch names are not truncated)', () => {
    const longName = `a${'b'.repeat(61)}`;
    const plan = planApp(app({ valkey: [{ instance: 'cache', access: 'read', secretName: 'shop-valkey' }] }, longName), options);
    expect(plan.secrets[0].username.length).toBeGreaterThan(64);
    expect(plan.problems).toEqual([expect.objectContaining({ reason: 'UserNameTooLong', message: expect.stringMatching(/has \d+ characters; Aiven allows at most 64/) })]);
    const ok = planApp(app({ valkey: [{ instance: 'cache', access: 'read', secretName: 'shop-valkey' }] }), options);
    expect(ok.problems).toEqual([]);
  });

  it('an invalid OpenSearch access is a problem and no grant; an invalid Valkey access is read, with a warning', () => {
    const os = planApp(app({ openSearch: { instance: 'logs', access: 'rw', secretName: 'shop-os' } }), options);
    expect(os.problems).toEqual([expect.objectContaining({ reason: 'InvalidAccess', message: expect.stringContaining('access "rw" is not one of read, write, readwrite, admin') })]);
    expect(os.secrets[0].grants).toEqual([]);
    const valkey = planApp(app({ valkey: [{ instance: 'cache', access: 'everything', secretName: 'shop-valkey' }] }), options);
    expect(valkey.problems).toEqual([]);
    expect(valkey.secrets[0].access).toBe('read');
    expect(valkey.secrets[0].grants).toContain('+@read');
    expect(valkey.warnings.join('\n')).toContain('access "everything" is not one of');
    for (const access of ['read', 'write', 'readwrite', 'admin', undefined]) {
      expect(planApp(app({ openSearch: { instance: 'logs', access, secretName: 'shop-os' } }), options).problems).toEqual([]);
    }
  });
});
