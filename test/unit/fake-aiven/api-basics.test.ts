// Contract: auth, error shape, routing, projects, project CA and service info.

import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { defaultWorld, type RunningFakeAiven } from '../../../src/fake-aiven';
import { PROJECT, call, expectErrorShape, startFake, svc } from './helpers';

let fake: RunningFakeAiven;

beforeAll(async () => {
  fake = await startFake({
    projects: [
      ...defaultWorld({
        projects: [PROJECT, 'nav-prod'],
        kafkaServiceName: (p) => (p === 'nav-prod' ? 'nav-prod-kafka' : 'kafka'),
        opensearch: [{ namespace: 'team', instance: 'logs' }],
        valkey: [
          { namespace: 'team', instance: 'cache', replica: true },
          { namespace: 'team', instance: 'solo' },
        ],
      }),
    ],
  });
});

afterAll(() => fake.close());

describe('authentication', () => {
  const documented = {
    message: 'Authentication failed',
    errors: [{ message: 'Authentication failed', status: 403, error_code: 'authentication_failed' }],
  };

  it.each([
    ['no header', null],
    ['wrong token', 'aivenv1 wrong'],
    ['wrong scheme', 'Token test-token'],
    ['wrong Bearer token', 'Bearer wrong'],
  ])('answers the documented 403 body with %s', async (_name, auth) => {
    const res = await call(fake, 'GET', 'project', { auth });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(documented);
  });

  it('accepts the token as `aivenv1 <token>` and as `Bearer <token>`', async () => {
    expect((await call(fake, 'GET', 'project', { auth: 'aivenv1 test-token' })).status).toBe(200);
    expect((await call(fake, 'GET', 'project', { auth: 'Bearer test-token' })).status).toBe(200);
  });

  it('checks auth on every route, even unknown ones', async () => {
    expect((await call(fake, 'GET', `${svc('kafka')}/user/x`, { auth: null })).status).toBe(403);
    expect((await call(fake, 'GET', 'nonsense', { auth: null })).status).toBe(403);
  });
});

describe('routing and errors', () => {
  it('answers 404 in the documented shape for unknown routes', async () => {
    expectErrorShape(await call(fake, 'GET', 'nonsense/path'), 404);
  });

  it('answers 404, not an invented 405, for a method it does not serve on a known path', async () => {
    expectErrorShape(await call(fake, 'PATCH', svc('kafka')), 404);
  });

  it('answers 404 for an unknown project', async () => {
    expectErrorShape(await call(fake, 'GET', 'project/nope/kms/ca'), 404);
    expectErrorShape(await call(fake, 'GET', 'project/nope/service/kafka'), 404);
  });

  it('answers 404 "Service <name> does not exist" for a missing service', async () => {
    expectErrorShape(await call(fake, 'GET', svc('missing')), 404, 'Service missing does not exist');
    expectErrorShape(await call(fake, 'POST', `${svc('missing')}/user`, { body: { username: 'u' } }), 404,
      'Service missing does not exist');
  });

  it('ignores unknown query parameters such as limit=999', async () => {
    const res = await call(fake, 'GET', `${svc('kafka')}?limit=999&foo=bar`);
    expect(res.status).toBe(200);
    expect(res.body.service.service_name).toBe('kafka');
    expect((await call(fake, 'GET', 'project?limit=999')).status).toBe(200);
  });

  it('URL-decodes path segments', async () => {
    const res = await call(fake, 'GET', `project/${encodeURIComponent(PROJECT)}/service/%6Bafka`);
    expect(res.status).toBe(200);
    expect(res.body.service.service_name).toBe('kafka');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await fetch(`${fake.url}/v1/${svc('kafka')}/user`, {
      method: 'POST',
      headers: { Authorization: 'aivenv1 test-token', 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
  });
});

describe('GET /project', () => {
  it('lists projects with memberships', async () => {
    const res = await call(fake, 'GET', 'project');
    expect(res.status).toBe(200);
    expect(res.body.projects.map((p: { project_name: string }) => p.project_name)).toEqual([PROJECT, 'nav-prod']);
    expect(res.body.project_membership).toEqual({ [PROJECT]: 'admin', 'nav-prod': 'admin' });
    expect(res.body.project_memberships).toEqual({ [PROJECT]: ['admin'], 'nav-prod': ['admin'] });
  });
});

describe('GET /project/{p}/kms/ca', () => {
  it('returns a self-signed RSA CA with CA:true and keyCertSign, one per project', async () => {
    const a = await call(fake, 'GET', `project/${PROJECT}/kms/ca`);
    const b = await call(fake, 'GET', 'project/nav-prod/kms/ca');
    expect(a.status).toBe(200);
    expect(Object.keys(a.body)).toEqual(['certificate']);
    const ca = new X509Certificate(a.body.certificate);
    expect(ca.ca).toBe(true);
    expect(ca.publicKey.asymmetricKeyType).toBe('rsa');
    expect(ca.checkIssued(ca)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    const forgeCa = forge.pki.certificateFromPem(a.body.certificate);
    expect(forgeCa.getExtension('basicConstraints')).toEqual(expect.objectContaining({ cA: true }));
    expect(forgeCa.getExtension('keyUsage')).toEqual(expect.objectContaining({ keyCertSign: true }));
    expect(a.body.certificate).not.toBe(b.body.certificate);
    // The same CA on every call.
    expect((await call(fake, 'GET', `project/${PROJECT}/kms/ca`)).body.certificate).toBe(a.body.certificate);
  });
});

describe('GET service', () => {
  it('describes a kafka service with kafka and schema_registry components and avnadmin', async () => {
    const { status, body } = await call(fake, 'GET', svc('kafka'));
    expect(status).toBe(200);
    const s = body.service;
    expect(s).toEqual(expect.objectContaining({ service_name: 'kafka', service_type: 'kafka', state: 'RUNNING' }));
    expect(typeof s.service_uri).toBe('string');
    expect(s.components.map((c: { component: string; usage: string }) => `${c.component}/${c.usage}`)).toEqual([
      'kafka/primary',
      'kafka/primary',
      'schema_registry/primary',
    ]);
    // The certificate listener first, then SASL on its own port (aiven-api.md §3).
    expect(s.components[0]).toEqual(expect.objectContaining({ kafka_authentication_method: 'certificate', route: 'dynamic' }));
    expect(s.components[1]).toEqual(expect.objectContaining({ kafka_authentication_method: 'sasl' }));
    expect(s.components[1].port).not.toBe(s.components[0].port);
    expect(s.users).toEqual([expect.objectContaining({ username: 'avnadmin', type: 'primary', password: '<redacted>' })]);
  });

  it('supports the pool-prefixed kafka service name', async () => {
    const res = await call(fake, 'GET', svc('nav-prod-kafka', 'nav-prod'));
    expect(res.status).toBe(200);
    expect((await call(fake, 'GET', svc('kafka', 'nav-prod'))).status).toBe(404);
  });

  it('describes opensearch and valkey services with their components', async () => {
    const os = (await call(fake, 'GET', svc('opensearch-team-logs'))).body.service;
    expect(os.service_type).toBe('opensearch');
    expect(os.components.map((c: { component: string }) => c.component)).toEqual(['opensearch', 'opensearch_dashboards']);

    const vk = (await call(fake, 'GET', svc('valkey-team-cache'))).body.service;
    expect(vk.components.map((c: { component: string; usage: string }) => `${c.component}/${c.usage}`)).toEqual([
      'valkey/primary',
      'valkey/replica',
    ]);
    const solo = (await call(fake, 'GET', svc('valkey-team-solo'))).body.service;
    expect(solo.components).toHaveLength(1);
  });

  it('reflects services created, patched and deleted through the control API', async () => {
    await fake.control.putService(PROJECT, {
      name: 'valkey-x-y',
      type: 'valkey',
      components: [{ component: 'valkey', host: '127.0.0.1', port: 6390, route: 'dynamic', usage: 'primary' }],
    });
    let s = (await call(fake, 'GET', svc('valkey-x-y'))).body.service;
    expect(s.components[0]).toEqual(expect.objectContaining({ host: '127.0.0.1', port: 6390 }));
    await fake.control.patchService(PROJECT, 'valkey-x-y', { state: 'REBUILDING' });
    s = (await call(fake, 'GET', svc('valkey-x-y'))).body.service;
    expect(s.state).toBe('REBUILDING');
    await fake.control.deleteService(PROJECT, 'valkey-x-y');
    expectErrorShape(await call(fake, 'GET', svc('valkey-x-y')), 404, 'Service valkey-x-y does not exist');
  });
});
