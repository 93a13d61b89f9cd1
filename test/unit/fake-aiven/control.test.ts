// The control API and its typed client, startFakeAiven options and defaultWorld.

import {
  FakeAivenControl,
  FakeAivenControlError,
  defaultWorld,
  startFakeAiven,
  type RunningFakeAiven,
} from '../../../src/fake-aiven';
import { PROJECT, TOKEN, call, startFake, svc } from './helpers';

let fake: RunningFakeAiven;

beforeAll(async () => {
  fake = await startFake({ projects: [PROJECT] });
});

afterAll(() => fake.close());

describe('startFakeAiven', () => {
  it('binds 127.0.0.1 on a free port and exposes url, port, token and control', async () => {
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}`);
    expect(fake.port).toBeGreaterThan(0);
    expect(fake.token).toBe(TOKEN);
    expect(await fake.control.health()).toBe(true);
  });

  it('turns a bare project name into a project with a "kafka" service', async () => {
    expect(await fake.control.listProjects()).toEqual([
      { name: PROJECT, services: [{ name: 'kafka', type: 'kafka', state: 'RUNNING', users: 1 }] },
    ]);
  });

  it('applies initial knobs and closes cleanly, freeing the port', async () => {
    const other = await startFakeAiven({ knobs: { latencyMs: 3 } });
    expect((await other.control.getKnobs()).latencyMs).toBe(3);
    // A keep-alive connection must not hold close() open.
    await fetch(`${other.url}/_fake/health`, { keepalive: true });
    await other.close();
    await expect(new FakeAivenControl(other.url).health()).rejects.toThrow();
  });

  it('uses a default token when none is given', async () => {
    const other = await startFakeAiven();
    try {
      const res = await fetch(`${other.url}/v1/project`, { headers: { Authorization: `aivenv1 ${other.token}` } });
      expect(res.status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('projects', () => {
  it('replacing a project keeps its CA, deleting and recreating it makes a new one', async () => {
    await fake.control.putProject({ name: 'pool-a', services: [{ name: 'pool-a-kafka', type: 'kafka' }] });
    const ca1 = await fake.control.getProjectCa('pool-a');
    await fake.control.putProject({ name: 'pool-a', services: [] });
    expect(await fake.control.getProjectCa('pool-a')).toBe(ca1);
    expect((await call(fake, 'GET', svc('pool-a-kafka', 'pool-a'))).status).toBe(404);
    await fake.control.deleteProject('pool-a');
    expect((await call(fake, 'GET', 'project/pool-a/kms/ca')).status).toBe(404);
    await fake.control.putProject({ name: 'pool-a' });
    expect(await fake.control.getProjectCa('pool-a')).not.toBe(ca1);
    expect((await call(fake, 'GET', 'project/pool-a/kms/ca')).body.certificate).not.toBe(ca1);
  });
});

describe('services and users', () => {
  it('seeds users with given passwords and access_control, and lists them with secrets', async () => {
    const acl = { valkey_acl_keys: ['*'] };
    const view = await fake.control.putService(PROJECT, {
      name: 'valkey-a-b',
      type: 'valkey',
      adminUser: false,
      users: [{ username: 'seeded', password: 'seeded-password', access_control: acl }],
    });
    expect(view.users).toEqual([expect.objectContaining({ username: 'seeded', type: 'normal', password: 'seeded-password', access_control: acl })]);
    expect(await fake.control.listUsers(PROJECT, 'valkey-a-b')).toEqual(view.users);
    expect((await fake.control.getService(PROJECT, 'valkey-a-b')).users?.[0].password).toBe('seeded-password');
  });

  it('PATCH keeps users', async () => {
    await call(fake, 'POST', `${svc('valkey-a-b')}/user`, { body: { username: 'kept' } });
    const patched = await fake.control.patchService(PROJECT, 'valkey-a-b', {
      components: [{ component: 'valkey', host: '127.0.0.1', port: 7000, route: 'dynamic', usage: 'primary' }],
    });
    expect(patched.users?.map((u) => u.username)).toEqual(['seeded', 'kept']);
    expect(patched.service_uri).toBe('rediss://127.0.0.1:7000');
  });

  it('rejects malformed specs with 400 and unknown things with 404', async () => {
    await expect(fake.control.putService(PROJECT, { name: 'x', type: 'mysql' as never })).rejects.toMatchObject({ status: 400 });
    await expect(fake.control.patchService(PROJECT, 'kafka', { state: 'ON' as never })).rejects.toMatchObject({ status: 400 });
    await expect(fake.control.listUsers(PROJECT, 'nope')).rejects.toBeInstanceOf(FakeAivenControlError);
    await expect(fake.control.deleteUser(PROJECT, 'kafka', 'ghost')).rejects.toMatchObject({ status: 404 });
    const res = await fetch(`${fake.url}/_fake/nonsense`);
    expect(res.status).toBe(404);
  });

  it('issues server certificates only for a non-empty host list', async () => {
    await expect(fake.control.issueServerCertificate(PROJECT, [])).rejects.toMatchObject({ status: 400 });
    const issued = await fake.control.issueServerCertificate(PROJECT, ['localhost']);
    expect(issued.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});

describe('issued secrets', () => {
  it('lists every password, key and certificate ever issued, including deleted users\', and can be cleared', async () => {
    const created = (await call(fake, 'POST', `${svc('kafka')}/user`, { body: { username: 'ledger_user' } })).body.user;
    await call(fake, 'DELETE', `${svc('kafka')}/user/ledger_user`);
    const values = (await fake.control.listIssuedSecrets()).map((s) => s.value);
    expect(values).toEqual(expect.arrayContaining([created.password, created.access_key, created.access_cert]));
    await fake.control.clearIssuedSecrets();
    expect(await fake.control.listIssuedSecrets()).toEqual([]);
  });
});

describe('defaultWorld', () => {
  it('builds dev-nais-dev with a kafka service by default', () => {
    expect(defaultWorld()).toEqual([{ name: 'dev-nais-dev', services: [{ name: 'kafka', type: 'kafka' }] }]);
  });

  it('supports <pool>-kafka names, component overrides and OpenSearch/Valkey services in the main project', () => {
    const world = defaultWorld({
      projects: ['main', 'pool'],
      kafkaServiceName: (p) => `${p}-kafka`,
      kafka: { host: '127.0.0.1', ports: { kafka: 9093 } },
      opensearch: [{ namespace: 'ns', instance: 'i' }],
      valkey: [{ namespace: 'ns', instance: 'c', replica: true }],
    });
    expect(world.map((p) => [p.name, p.services?.map((s) => s.name)])).toEqual([
      ['main', ['main-kafka', 'opensearch-ns-i', 'valkey-ns-c']],
      ['pool', ['pool-kafka']],
    ]);
    expect(world[0].services?.[0]).toEqual(expect.objectContaining({ host: '127.0.0.1', ports: { kafka: 9093 } }));
  });

  it('points the kafka component at the configured host and port', async () => {
    await fake.control.putProject(
      defaultWorld({ projects: ['broker-pool'], kafka: { host: '127.0.0.1', ports: { kafka: 9093 } } })[0],
    );
    const s = (await call(fake, 'GET', svc('kafka', 'broker-pool'))).body.service;
    expect(s.components[0]).toEqual(expect.objectContaining({ component: 'kafka', host: '127.0.0.1', port: 9093 }));
    expect(s.service_uri).toBe('127.0.0.1:9093');
  });
});
