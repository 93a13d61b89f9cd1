// Contract: the knobs for the real API's rough edges (issue 15), and the fields
// the OpenAPI document marks required.

import { X509Certificate } from 'node:crypto';
import { defaultWorld, type RunningFakeAiven } from '../../../src/fake-aiven';
import { PROJECT, call, expectErrorShape, startFake, svc, userPath } from './helpers';

let fake: RunningFakeAiven;

beforeAll(async () => {
  fake = await startFake({
    projects: [
      ...defaultWorld({ projects: [PROJECT], opensearch: [{ namespace: 'team', instance: 'logs' }], valkey: [{ namespace: 'team', instance: 'cache' }] }),
      { name: 'secret-project', services: [{ name: 'kafka', type: 'kafka' }] },
    ],
  });
});
afterEach(() => fake.control.resetKnobs());
afterAll(() => fake.close());

const create = (service: string, username: string) => call(fake, 'POST', `${svc(service)}/user`, { body: { username } });

describe('409 without the usual text', () => {
  it('answers the duplicate create with the configured message', async () => {
    await create('kafka', 'dup_user');
    await fake.control.setKnobs({ conflictMessage: 'Conflict' });
    expectErrorShape(await create('kafka', 'dup_user'), 409, 'Conflict');
    await fake.control.resetKnobs();
    expectErrorShape(await create('kafka', 'dup_user'), 409, 'Service user dup_user already exists');
  });
});

describe('404 right after a create', () => {
  it('answers the next N reads of a new user with 404, then the user', async () => {
    await fake.control.setKnobs({ notFoundAfterCreate: 2 });
    expect((await create('kafka', 'lagging_user')).status).toBe(200);
    expectErrorShape(await call(fake, 'GET', userPath('kafka', 'lagging_user')), 404);
    expectErrorShape(await call(fake, 'GET', userPath('kafka', 'lagging_user')), 404);
    expect((await call(fake, 'GET', userPath('kafka', 'lagging_user'))).status).toBe(200);
  });
});

describe('empty password after a create or a reset', () => {
  it('answers "" in the create answer and the next reads with secrets, then the password', async () => {
    await fake.control.setKnobs({ emptyPasswordAnswers: 2 });
    const created = await create('opensearch-team-logs', 'empty-pw');
    expect(created.body.user.password).toBe('');
    // A redacted read does not count.
    expect((await call(fake, 'GET', userPath('opensearch-team-logs', 'empty-pw'))).body.user.password).toBe('<redacted>');
    expect((await call(fake, 'GET', `${userPath('opensearch-team-logs', 'empty-pw')}?include_secrets=true`)).body.user.password).toBe('');
    expect((await call(fake, 'GET', `${userPath('opensearch-team-logs', 'empty-pw')}?include_secrets=true`)).body.user.password).toMatch(/^AVNS_/);
  });

  it('can answer null instead, and after a reset too', async () => {
    await create('valkey-team-cache', 'reset-pw');
    await fake.control.setKnobs({ emptyPasswordAnswers: 1, emptyPasswordValue: 'null' });
    expect((await call(fake, 'PUT', `${userPath('valkey-team-cache', 'reset-pw')}/credentials/reset`)).status).toBe(200);
    expect((await call(fake, 'GET', `${userPath('valkey-team-cache', 'reset-pw')}?include_secrets=true`)).body.user.password).toBeNull();
    expect((await call(fake, 'GET', `${userPath('valkey-team-cache', 'reset-pw')}?include_secrets=true`)).body.user.password).toMatch(/^AVNS_/);
  });
});

describe('a CA bundle', () => {
  it('serves two certificates during a rotation, the current CA first', async () => {
    const single = (await call(fake, 'GET', `project/${PROJECT}/kms/ca`)).body.certificate as string;
    await fake.control.setKnobs({ caBundle: true });
    const bundle = (await call(fake, 'GET', `project/${PROJECT}/kms/ca`)).body.certificate as string;
    const certs = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
    expect(certs).toHaveLength(2);
    expect(new X509Certificate(certs[0]!).fingerprint256).toBe(new X509Certificate(single).fingerprint256);
    expect(new X509Certificate(certs[1]!).fingerprint256).not.toBe(new X509Certificate(single).fingerprint256);
    expect(new X509Certificate(certs[1]!).ca).toBe(true);
  });

  it('issues server certificates from the next CA on request, with the bundle as their CA', async () => {
    const issued = await fake.control.issueServerCertificate(PROJECT, ['127.0.0.1'], 'next');
    const [current, next] = issued.ca.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
    const cert = new X509Certificate(issued.certificate);
    expect(cert.verify(new X509Certificate(next!).publicKey)).toBe(true);
    expect(cert.verify(new X509Certificate(current!).publicKey)).toBe(false);
  });
});

describe('empty 2xx bodies', () => {
  it.each([200, 204])('answers a user DELETE with %i and no body', async (status) => {
    await create('kafka', `gone_${status}`);
    await fake.control.setKnobs({ emptyDeleteStatus: status as 200 | 204 });
    const res = await fetch(`${fake.url}/v1/${userPath('kafka', `gone_${status}`)}`, { method: 'DELETE', headers: { Authorization: 'aivenv1 test-token' } });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe('');
    expect(await fake.control.getUser(PROJECT, 'kafka', `gone_${status}`)).toBeUndefined();
  });
});

describe('permissions', () => {
  it('answers 403 to reads with include_secrets when the token may not read secrets', async () => {
    await fake.control.setKnobs({ forbidSecrets: true });
    expectErrorShape(await call(fake, 'GET', `${userPath('kafka', 'avnadmin')}?include_secrets=true`), 403);
    expectErrorShape(await call(fake, 'GET', `${svc('kafka')}?include_secrets=true`), 403);
    expect((await call(fake, 'GET', userPath('kafka', 'avnadmin'))).status).toBe(200);
  });

  it('answers 403 for a project the token is not a member of, and leaves it out of GET /project', async () => {
    await fake.control.setKnobs({ forbiddenProjects: ['secret-project'] });
    expectErrorShape(await call(fake, 'GET', 'project/secret-project/kms/ca'), 403);
    expectErrorShape(await call(fake, 'GET', svc('kafka', 'secret-project')), 403);
    const names = (await call(fake, 'GET', 'project')).body.projects.map((p: { project_name: string }) => p.project_name);
    expect(names).toContain(PROJECT);
    expect(names).not.toContain('secret-project');
  });
});

describe('required fields', () => {
  it('lists projects with the required project fields', async () => {
    const project = (await call(fake, 'GET', 'project')).body.projects[0];
    for (const field of ['project_name', 'account_id', 'billing_group_id', 'billing_group_name', 'default_cloud', 'estimated_balance', 'payment_method', 'tech_emails', 'tenant_id', 'vat_id', 'country', 'country_code', 'billing_emails', 'billing_address', 'available_credits', 'card_info']) {
      expect(project).toHaveProperty(field);
    }
  });

  it('describes services with group_list, service_integrations, termination_protection and connection_info', async () => {
    for (const name of ['kafka', 'opensearch-team-logs', 'valkey-team-cache']) {
      const s = (await call(fake, 'GET', svc(name))).body.service;
      expect(s.group_list).toEqual(['default']);
      expect(s.service_integrations).toEqual([]);
      expect(s.termination_protection).toBe(false);
      expect(typeof s.connection_info).toBe('object');
    }
  });

  it('gives Kafka connection_info the certificate listener and no secret without include_secrets', async () => {
    const s = (await call(fake, 'GET', svc('kafka'))).body.service;
    expect(s.connection_info.kafka).toEqual([`${s.components[0].host}:${s.components[0].port}`]);
    expect(s.connection_info.kafka_access_key).toBe('<redacted>');
    expect(s.connection_info.schema_registry_uri).toMatch(/^https:\/\/avnadmin:%3Credacted%3E@/);
  });

  it('puts the primary user\'s credentials into OpenSearch and Valkey service URIs, in plaintext only with include_secrets', async () => {
    const admin = (await fake.control.listUsers(PROJECT, 'opensearch-team-logs')).find((u) => u.username === 'avnadmin')!;
    const redacted = (await call(fake, 'GET', svc('opensearch-team-logs'))).body.service;
    expect(redacted.service_uri).toMatch(/^https:\/\/avnadmin:%3Credacted%3E@/);
    const plain = (await call(fake, 'GET', `${svc('opensearch-team-logs')}?include_secrets=true`)).body.service;
    expect(plain.service_uri).toBe(`https://avnadmin:${admin.password}@${plain.service_uri_params.host}:${plain.service_uri_params.port}`);
    const valkey = (await call(fake, 'GET', `${svc('valkey-team-cache')}?include_secrets=true`)).body.service;
    expect(valkey.service_uri).toMatch(/^rediss:\/\/avnadmin:AVNS_\w+@/);
    expect(valkey.connection_info.valkey).toEqual([valkey.service_uri]);
  });
});

describe('the rough-edge knobs', () => {
  it('default to the well-behaved API', async () => {
    expect(await fake.control.getKnobs()).toEqual(expect.objectContaining({
      conflictMessage: null,
      notFoundAfterCreate: 0,
      emptyPasswordAnswers: 0,
      emptyPasswordValue: 'empty',
      caBundle: false,
      forbidSecrets: false,
      forbiddenProjects: [],
      emptyDeleteStatus: null,
    }));
  });

  it.each([
    { conflictMessage: 409 },
    { notFoundAfterCreate: -1 },
    { emptyPasswordAnswers: 'many' },
    { emptyPasswordValue: 'undefined' },
    { caBundle: 'yes' },
    { forbidSecrets: 1 },
    { forbiddenProjects: 'p' },
    { emptyDeleteStatus: 201 },
  ])('refuse %p with 400 and change nothing', async (patch) => {
    const before = await fake.control.getKnobs();
    await expect(fake.control.setKnobs(patch as never)).rejects.toThrow(/400/);
    expect(await fake.control.getKnobs()).toEqual(before);
  });
});
