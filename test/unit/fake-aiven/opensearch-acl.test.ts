// Contract: OpenSearch ACL GET / PUT (merge) / POST (set), extendedAcl kept as
// stored, other users' entries kept, and the limits from aiven-api.md §7.

import { type RunningFakeAiven } from '../../../src/fake-aiven';
import { PROJECT, call, expectErrorShape, startFake, svc } from './helpers';

const OS = 'opensearch-team-logs';
const ACL = `${svc(OS)}/opensearch/acl`;

const seeded = {
  acls: [{ username: 'other-team-r-abc', rules: [{ index: 'logs-*', permission: 'read' as const }] }],
  enabled: false,
  extendedAcl: true,
};

let fake: RunningFakeAiven;

beforeAll(async () => {
  fake = await startFake({ projects: [{ name: PROJECT, services: [{ name: 'kafka', type: 'kafka' }] }] });
});

beforeEach(async () => {
  await fake.control.putService(PROJECT, { name: OS, type: 'opensearch', opensearchAcl: seeded });
});

afterAll(() => fake.close());

it('GET returns {opensearch_acl_config:{acls, enabled, extendedAcl}}', async () => {
  const res = await call(fake, 'GET', `${ACL}?limit=999`);
  expect(res.status).toBe(200);
  expect(res.body).toStrictEqual({ opensearch_acl_config: seeded });
});

it('a fresh service has an empty, disabled ACL config', async () => {
  await fake.control.putService(PROJECT, { name: 'opensearch-x-y', type: 'opensearch' });
  const res = await call(fake, 'GET', `${svc('opensearch-x-y')}/opensearch/acl`);
  expect(res.body).toStrictEqual({ opensearch_acl_config: { acls: [], enabled: false } });
});

it('PUT of the whole config read back (aivenator style) keeps extendedAcl and other users\' entries', async () => {
  const config = (await call(fake, 'GET', ACL)).body.opensearch_acl_config;
  config.enabled = true;
  config.acls.push({ username: 'team-r-3D_', rules: [{ index: '_*', permission: 'read' }, { index: '*', permission: 'read' }] });
  const res = await call(fake, 'PUT', ACL, { body: { opensearch_acl_config: config } });
  expect(res.status).toBe(200);
  expect(res.body.opensearch_acl_config).toStrictEqual({
    acls: [
      seeded.acls[0],
      { username: 'team-r-3D_', rules: [{ index: '_*', permission: 'read' }, { index: '*', permission: 'read' }] },
    ],
    enabled: true,
    extendedAcl: true,
  });
  expect(await fake.control.getOpenSearchAcl(PROJECT, OS)).toStrictEqual(res.body.opensearch_acl_config);
});

it('PUT merges only the fields given', async () => {
  const res = await call(fake, 'PUT', ACL, { body: { opensearch_acl_config: { enabled: true } } });
  expect(res.body.opensearch_acl_config).toStrictEqual({ ...seeded, enabled: true });
  const off = await call(fake, 'PUT', ACL, { body: { opensearch_acl_config: { extendedAcl: false } } });
  expect(off.body.opensearch_acl_config).toStrictEqual({ ...seeded, enabled: true, extendedAcl: false });
});

it('POST sets the config and requires acls and enabled', async () => {
  expectErrorShape(await call(fake, 'POST', ACL, { body: { opensearch_acl_config: { enabled: true } } }), 400);
  const res = await call(fake, 'POST', ACL, { body: { opensearch_acl_config: { acls: [], enabled: true } } });
  expect(res.status).toBe(200);
  expect(res.body.opensearch_acl_config).toStrictEqual({ acls: [], enabled: true, extendedAcl: true });
});

it('keeps only known fields of entries and rules', async () => {
  const res = await call(fake, 'PUT', ACL, {
    body: { opensearch_acl_config: { acls: [{ username: 'u', rules: [{ index: 'i', permission: 'admin', extra: 1 }], x: 2 }] } },
  });
  expect(res.body.opensearch_acl_config.acls).toStrictEqual([{ username: 'u', rules: [{ index: 'i', permission: 'admin' }] }]);
});

describe('validation (400, nothing stored)', () => {
  const rule = { index: 'i', permission: 'read' };
  it.each([
    ['no opensearch_acl_config', {}],
    ['acls not an array', { opensearch_acl_config: { acls: {} } }],
    ['more than 512 acls', { opensearch_acl_config: { acls: Array.from({ length: 513 }, (_, i) => ({ username: `u${i}`, rules: [] })) } }],
    ['more than 256 rules', { opensearch_acl_config: { acls: [{ username: 'u', rules: Array.from({ length: 257 }, () => rule) }] } }],
    ['an empty index', { opensearch_acl_config: { acls: [{ username: 'u', rules: [{ index: '', permission: 'read' }] }] } }],
    ['a 250-character index', { opensearch_acl_config: { acls: [{ username: 'u', rules: [{ index: 'i'.repeat(250), permission: 'read' }] }] } }],
    ['an unknown permission', { opensearch_acl_config: { acls: [{ username: 'u', rules: [{ index: 'i', permission: 'all' }] }] } }],
    ['a 65-character username', { opensearch_acl_config: { acls: [{ username: 'u'.repeat(65), rules: [] }] } }],
    ['enabled not a boolean', { opensearch_acl_config: { enabled: 'yes' } }],
    ['extendedAcl not a boolean', { opensearch_acl_config: { extendedAcl: 1 } }],
  ])('%s', async (_name, body) => {
    expectErrorShape(await call(fake, 'PUT', ACL, { body }), 400);
    expect(await fake.control.getOpenSearchAcl(PROJECT, OS)).toStrictEqual(seeded);
  });

  it('accepts the limits themselves (512 acls, 256 rules, 249-character index, 64-character username)', async () => {
    const acls = Array.from({ length: 512 }, (_, i) => ({ username: i === 0 ? 'u'.repeat(64) : `u${i}`, rules: [] as object[] }));
    acls[1].rules = Array.from({ length: 256 }, () => ({ index: 'i'.repeat(249), permission: 'deny' }));
    expect((await call(fake, 'PUT', ACL, { body: { opensearch_acl_config: { acls } } })).status).toBe(200);
  });
});

it('answers 404 for a missing service and 400 for a non-OpenSearch service', async () => {
  expectErrorShape(await call(fake, 'GET', `${svc('opensearch-none')}/opensearch/acl`), 404, 'Service opensearch-none does not exist');
  expectErrorShape(await call(fake, 'GET', `${svc('kafka')}/opensearch/acl`), 400);
});

it('leaves the ACL entry in place when the user is deleted (the operator must remove it)', async () => {
  await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'other-team-r-abc' } });
  expect((await call(fake, 'DELETE', `${svc(OS)}/user/other-team-r-abc`)).status).toBe(200);
  expect((await fake.control.getOpenSearchAcl(PROJECT, OS)).acls).toStrictEqual(seeded.acls);
});
