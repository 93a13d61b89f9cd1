// Contract: service-user create / get / modify / reset / delete, redaction,
// Valkey access_control echo and the per-service user limit.

import { defaultWorld, type RunningFakeAiven } from '../../../src/fake-aiven';
import { PROJECT, call, expectErrorShape, startFake, svc, userPath } from './helpers';

const OS = 'opensearch-team-logs';
const VK = 'valkey-team-cache';

/** What aivenator sends for a read user (aiven-api.md §8). */
const VALKEY_ACL = {
  valkey_acl_categories: ['-@all', '+@connection', '+@scripting', '+@pubsub', '+@transaction', '+@read'],
  valkey_acl_commands: ['+info', '+cluster|slots'],
  valkey_acl_keys: ['*'],
  valkey_acl_channels: ['*'],
};

let fake: RunningFakeAiven;

beforeAll(async () => {
  fake = await startFake({
    projects: defaultWorld({
      opensearch: [{ namespace: 'team', instance: 'logs' }],
      valkey: [{ namespace: 'team', instance: 'cache' }],
    }),
  });
});

afterAll(() => fake.close());

afterEach(() => fake.control.resetKnobs());

describe('create', () => {
  it('answers 200 {message:"created", user} with a plaintext password', async () => {
    const res = await call(fake, 'POST', `${svc(OS)}/user?limit=999`, { body: { username: 'team-r-3D_' } });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('created');
    const user = res.body.user;
    expect(user).toEqual(expect.objectContaining({ username: 'team-r-3D_', type: 'normal' }));
    expect(user.password).toMatch(/^AVNS_[A-Za-z0-9]{10,}$/);
    expect(user.access_cert).toBeUndefined();
    expect(typeof user.password_updated_time).toBe('string');
    expect(Number.isNaN(Date.parse(user.password_updated_time))).toBe(false);
    // The same secret is in the ledger of issued secrets.
    const secrets = await fake.control.listIssuedSecrets();
    expect(secrets).toContainEqual(expect.objectContaining({ kind: 'password', username: 'team-r-3D_', value: user.password }));
  });

  it('gives every user a different password', async () => {
    const a = await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'pw-a' } });
    const b = await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'pw-b' } });
    expect(a.body.user.password).not.toBe(b.body.user.password);
  });

  it('answers 409 with "already exists" for a duplicate', async () => {
    await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'dup' } });
    const res = await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'dup' } });
    expectErrorShape(res, 409, /already exists/);
  });

  it.each([
    ['missing', {}],
    ['empty', { username: '' }],
    ['65 characters', { username: 'a'.repeat(65) }],
    ['leading dash', { username: '-abc' }],
    ['leading dot', { username: '.abc' }],
    ['a space', { username: 'a b' }],
    ['non-string', { username: 42 }],
  ])('answers 400 for a username that is %s', async (_name, body) => {
    expectErrorShape(await call(fake, 'POST', `${svc(OS)}/user`, { body }), 400);
  });

  it('accepts a 64-character username and a leading underscore or digit', async () => {
    for (const username of ['b'.repeat(64), '_under', '9lives']) {
      const res = await call(fake, 'POST', `${svc(OS)}/user`, { body: { username } });
      expect(res.status).toBe(200);
    }
  });

  it('answers 400 for a malformed access_control', async () => {
    const bad = [{ access_control: 'x' }, { access_control: { valkey_acl_keys: [1] } }];
    for (const extra of bad) {
      expectErrorShape(await call(fake, 'POST', `${svc(VK)}/user`, { body: { username: 'bad-acl', ...extra } }), 400);
    }
  });
});

describe('get', () => {
  beforeAll(async () => {
    await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'getme' } });
  });

  it('answers 404 for a missing user', async () => {
    expectErrorShape(await call(fake, 'GET', userPath(OS, 'nobody')), 404, 'Service user does not exist');
  });

  it('redacts the password without include_secrets and shows it with include_secrets=true', async () => {
    const plain = (await fake.control.getUser(PROJECT, OS, 'getme'))?.password;
    expect(plain).toMatch(/^AVNS_/);

    const redacted = await call(fake, 'GET', userPath(OS, 'getme'));
    expect(redacted.status).toBe(200);
    expect(redacted.body.user.password).toBe('<redacted>');

    const withSecrets = await call(fake, 'GET', `${userPath(OS, 'getme')}?include_secrets=true&limit=999`);
    expect(withSecrets.body.user.password).toBe(plain);
  });

  it('applies the same redaction to users[] of GET service', async () => {
    const redacted = (await call(fake, 'GET', svc(OS))).body.service.users;
    expect(redacted.length).toBeGreaterThan(1);
    for (const u of redacted) expect(u.password).toBe('<redacted>');
    const plain = (await call(fake, 'GET', `${svc(OS)}?include_secrets=true`)).body.service.users;
    for (const u of plain) expect(u.password).toMatch(/^AVNS_/);
  });
});

describe('modify', () => {
  beforeAll(async () => {
    await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'modme' } });
  });

  it('reset-credentials answers the whole service with the user in users[], redacted', async () => {
    const before = (await fake.control.getUser(PROJECT, OS, 'modme'))?.password;
    const res = await call(fake, 'PUT', userPath(OS, 'modme'), { body: { operation: 'reset-credentials' } });
    expect(res.status).toBe(200);
    expect(res.body.service.service_name).toBe(OS);
    expect(res.body.service.components.length).toBeGreaterThan(0);
    const user = res.body.service.users.find((u: { username: string }) => u.username === 'modme');
    expect(user).toEqual(expect.objectContaining({ username: 'modme', password: '<redacted>' }));
    const after = (await fake.control.getUser(PROJECT, OS, 'modme'))?.password;
    expect(after).not.toBe(before);
  });

  it('reset-credentials accepts new_password (8-256 chars)', async () => {
    const ok = await call(fake, 'PUT', userPath(OS, 'modme'), {
      body: { operation: 'reset-credentials', new_password: 'correct-horse-battery' },
    });
    expect(ok.status).toBe(200);
    expect((await fake.control.getUser(PROJECT, OS, 'modme'))?.password).toBe('correct-horse-battery');
    const short = await call(fake, 'PUT', userPath(OS, 'modme'), { body: { operation: 'reset-credentials', new_password: 'short' } });
    expectErrorShape(short, 400);
  });

  it.each([
    ['no operation', {}],
    ['an unknown operation', { operation: 'explode' }],
    ['access_control without set-access-control', { operation: 'reset-credentials', access_control: {} }],
    ['new_password without reset-credentials', { operation: 'set-access-control', access_control: {}, new_password: 'abcdefghij' }],
    ['set-access-control without access_control', { operation: 'set-access-control' }],
  ])('answers 400 for %s', async (_name, body) => {
    expectErrorShape(await call(fake, 'PUT', userPath(OS, 'modme'), { body }), 400);
  });

  it('answers 404 for a missing user', async () => {
    const res = await call(fake, 'PUT', userPath(OS, 'ghost'), { body: { operation: 'reset-credentials' } });
    expectErrorShape(res, 404);
  });

  it('PUT credentials/reset gives a new password and answers the whole service', async () => {
    const before = (await fake.control.getUser(PROJECT, OS, 'modme'))?.password;
    const res = await call(fake, 'PUT', `${userPath(OS, 'modme')}/credentials/reset`);
    expect(res.status).toBe(200);
    expect(res.body.service.users.some((u: { username: string }) => u.username === 'modme')).toBe(true);
    expect((await fake.control.getUser(PROJECT, OS, 'modme'))?.password).not.toBe(before);
  });
});

describe('valkey access_control', () => {
  it('stores and echoes access_control exactly on create, get and service info', async () => {
    const res = await call(fake, 'POST', `${svc(VK)}/user`, { body: { username: 'app-r-3D_', access_control: VALKEY_ACL } });
    expect(res.status).toBe(200);
    expect(res.body.user.access_control).toStrictEqual(VALKEY_ACL);
    // Same key order too: clients use deep equality.
    expect(Object.keys(res.body.user.access_control)).toEqual(Object.keys(VALKEY_ACL));

    const got = await call(fake, 'GET', userPath(VK, 'app-r-3D_'));
    expect(got.body.user.access_control).toStrictEqual(VALKEY_ACL);
    const listed = (await call(fake, 'GET', `${svc(VK)}?include_secrets=true`)).body.service.users;
    expect(listed.find((u: { username: string }) => u.username === 'app-r-3D_').access_control).toStrictEqual(VALKEY_ACL);
  });

  it('set-access-control replaces the ACL and echoes arrays in the given order with no extra keys', async () => {
    await call(fake, 'POST', `${svc(VK)}/user`, { body: { username: 'app-rw-3D_', access_control: VALKEY_ACL } });
    const wanted = {
      valkey_acl_keys: ['b*', 'a*'],
      valkey_acl_categories: ['-@all', '+@write', '+@read'],
      valkey_acl_commands: ['+info'],
    };
    const res = await call(fake, 'PUT', userPath(VK, 'app-rw-3D_'), {
      body: { operation: 'set-access-control', access_control: wanted },
    });
    expect(res.status).toBe(200);
    const user = res.body.service.users.find((u: { username: string }) => u.username === 'app-rw-3D_');
    expect(user.access_control).toStrictEqual(wanted);
    expect(Object.keys(user.access_control)).toEqual(Object.keys(wanted));
    expect(user.password).toBe('<redacted>');
  });
});

describe('delete', () => {
  it('answers 200 {message:"deleted"} and then 404', async () => {
    await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'delme' } });
    const res = await call(fake, 'DELETE', `${userPath(OS, 'delme')}?limit=999`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'deleted' });
    expectErrorShape(await call(fake, 'DELETE', userPath(OS, 'delme')), 404);
    expectErrorShape(await call(fake, 'GET', userPath(OS, 'delme')), 404);
  });

  it('sees users deleted behind the operator\'s back through the control API', async () => {
    await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'vanish' } });
    await fake.control.deleteUser(PROJECT, OS, 'vanish');
    expectErrorShape(await call(fake, 'GET', userPath(OS, 'vanish')), 404);
  });
});

describe('service-user limit', () => {
  it('refuses creates beyond the limit with 403 and a clear message, counting only normal users', async () => {
    await fake.control.putService(PROJECT, { name: 'valkey-team-limited', type: 'valkey' });
    await fake.control.setKnobs({ serviceUserLimit: 2 });
    const path = `${svc('valkey-team-limited')}/user`;
    expect((await call(fake, 'POST', path, { body: { username: 'u1' } })).status).toBe(200);
    expect((await call(fake, 'POST', path, { body: { username: 'u2' } })).status).toBe(200);
    expectErrorShape(await call(fake, 'POST', path, { body: { username: 'u3' } }), 403, /limit/i);
    // Deleting one makes room again.
    await call(fake, 'DELETE', userPath('valkey-team-limited', 'u1'));
    expect((await call(fake, 'POST', path, { body: { username: 'u3' } })).status).toBe(200);
  });

  it('lets a service override the global limit', async () => {
    await fake.control.putService(PROJECT, { name: 'valkey-team-one', type: 'valkey', userLimit: 1 });
    const path = `${svc('valkey-team-one')}/user`;
    expect((await call(fake, 'POST', path, { body: { username: 'only' } })).status).toBe(200);
    expectErrorShape(await call(fake, 'POST', path, { body: { username: 'second' } }), 403);
    await fake.control.patchService(PROJECT, 'valkey-team-one', { userLimit: null });
    expect((await call(fake, 'POST', path, { body: { username: 'second' } })).status).toBe(200);
  });
});

describe('concurrency', () => {
  it('creates exactly one user when the same name is created concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call(fake, 'POST', `${svc('kafka')}/user`, { body: { username: 'racer' } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const users = await fake.control.listUsers(PROJECT, 'kafka');
    expect(users.filter((u) => u.username === 'racer')).toHaveLength(1);
  });
});
