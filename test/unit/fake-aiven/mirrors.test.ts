// Contract: mirrors (real servers following the fake's users) are in step with
// every change before the change is answered, and see only the services they follow.

import { defaultWorld, pointsAt, redisAclRules, type MirroredUser, type RunningFakeAiven, type StoreMirror } from '../../../src/fake-aiven';
import { PROJECT, call, startFake, svc, userPath } from './helpers';

const VK = 'valkey-team-cache';
const OTHER = 'valkey-team-other';
const HOST = '127.0.0.1';
const PORT = 6390;

const READ_ACL = {
  valkey_acl_categories: ['-@all', '+@connection', '+@scripting', '+@pubsub', '+@transaction', '+@read'],
  valkey_acl_commands: ['+info', '+cluster|slots'],
  valkey_acl_keys: ['*'],
  valkey_acl_channels: ['*'],
};

class RecordingMirror implements StoreMirror {
  readonly name = 'recording';
  syncs: MirroredUser[][] = [];
  follows = (s: Parameters<StoreMirror['follows']>[0]) => s.type === 'valkey' && pointsAt(s, 'valkey', HOST, PORT);
  async sync(users: MirroredUser[]): Promise<void> {
    // Slow on purpose: answers must still wait for it.
    await new Promise((r) => setTimeout(r, 20));
    this.syncs.push(users);
  }
  last(): string[] {
    return (this.syncs.at(-1) ?? []).map((u) => `${u.service}/${u.username}`).sort();
  }
}

let fake: RunningFakeAiven;
let mirror: RecordingMirror;

beforeAll(async () => {
  fake = await startFake({ projects: defaultWorld({ valkey: [{ namespace: 'team', instance: 'cache' }, { namespace: 'team', instance: 'other' }] }) });
  mirror = new RecordingMirror();
  await fake.addMirror(mirror);
});

afterAll(() => fake.close());

it('syncs when attached, with nothing while no service points at it', () => {
  expect(mirror.syncs).toHaveLength(1);
  expect(mirror.last()).toEqual([]);
});

it('follows a service once its component points at the mirrored server', async () => {
  const { components = [] } = await fake.control.getService(PROJECT, VK);
  await fake.control.patchService(PROJECT, VK, { components: components.map((c) => ({ ...c, host: HOST, port: PORT })) });
  expect(mirror.last()).toEqual([`${VK}/avnadmin`]);
});

it('is in step with a created user, with its password and access control, before the create is answered', async () => {
  const res = await call(fake, 'POST', `${svc(VK)}/user`, { body: { username: 'app-r-3D_', access_control: READ_ACL } });
  expect(res.status).toBe(200);
  expect(mirror.last()).toEqual([`${VK}/app-r-3D_`, `${VK}/avnadmin`]);
  const user = mirror.syncs.at(-1)!.find((u) => u.username === 'app-r-3D_')!;
  expect(user).toMatchObject({ project: PROJECT, serviceType: 'valkey', type: 'normal', password: res.body.user.password, accessControl: READ_ACL });
});

it('ignores users of services it does not follow', async () => {
  const before = mirror.syncs.length;
  await call(fake, 'POST', `${svc(OTHER)}/user`, { body: { username: 'elsewhere' } });
  expect(mirror.syncs.length).toBe(before + 1);
  expect(mirror.last()).not.toContain(`${OTHER}/elsewhere`);
});

it('sees access-control changes, resets and deletions (Aiven API and control API)', async () => {
  await call(fake, 'PUT', userPath(VK, 'app-r-3D_'), { body: { operation: 'set-access-control', access_control: { ...READ_ACL, valkey_acl_keys: ['app:*'] } } });
  expect(mirror.syncs.at(-1)!.find((u) => u.username === 'app-r-3D_')!.accessControl).toMatchObject({ valkey_acl_keys: ['app:*'] });
  const reset = await call(fake, 'PUT', userPath(VK, 'app-r-3D_'), { body: { operation: 'reset-credentials' } });
  expect(reset.status).toBe(200);
  const [stored] = (await fake.control.listUsers(PROJECT, VK)).filter((u) => u.username === 'app-r-3D_');
  expect(mirror.syncs.at(-1)!.find((u) => u.username === 'app-r-3D_')!.password).toBe(stored.password);
  await call(fake, 'DELETE', userPath(VK, 'app-r-3D_'));
  expect(mirror.last()).toEqual([`${VK}/avnadmin`]);
  await fake.control.deleteUser(PROJECT, VK, 'avnadmin');
  expect(mirror.last()).toEqual([]);
});

it('forgets the users of a deleted service', async () => {
  await call(fake, 'POST', `${svc(VK)}/user`, { body: { username: 'again' } });
  expect(mirror.last()).toEqual([`${VK}/again`]);
  await fake.control.deleteService(PROJECT, VK);
  expect(mirror.last()).toEqual([]);
});

describe('redisAclRules', () => {
  it('turns access_control into Redis ACL rules: categories, commands, ~keys, &channels', () => {
    expect(redisAclRules(READ_ACL)).toEqual([
      '-@all', '+@connection', '+@scripting', '+@pubsub', '+@transaction', '+@read', '+info', '+cluster|slots', '~*', '&*',
    ]);
  });

  it('keeps patterns that already carry their prefix', () => {
    expect(redisAclRules({ valkey_acl_keys: ['~a:*', '%R~b:*'], valkey_acl_channels: ['&c'] })).toEqual(['~a:*', '%R~b:*', '&c']);
  });

  it('gives a user without access_control (the primary user) everything', () => {
    expect(redisAclRules(undefined)).toEqual(['+@all', '~*', '&*']);
  });
});
