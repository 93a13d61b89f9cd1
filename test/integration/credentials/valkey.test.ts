// A Valkey Secret is correct only if an application can log in with it and do
// what its access level allows, and nothing more. The fake Aiven mirrors the
// users of Valkey services that point at the test Redis (Debian's redis-server,
// started once per run) with `ACL SETUSER` built from their access_control; ioredis
// logs in with the Secret's VALKEY_* values.
//
// The connection is plain TCP: the test Redis has no TLS listener, while the
// Secret's URI says valkeys:// as Aiven's endpoints do. The test checks that the
// URI names the host and port it connects to.
import type Redis from 'ioredis';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { createApp, createInstance, custom, decoded, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { deleteSecretThroughFinalizer, redisLogin, valkeyKey, type SecretData } from './clients';

const redisWorld = world().redis;
// AIVENATOR_TEST_REDIS=0 runs the suite without Redis; these tests need it.
const describeWithRedis = redisWorld ? describe : describe.skip;

/** One Valkey instance per access level; all of them are served by the test Redis. */
const INSTANCES = { reader: 'read', writer: 'write', 'read-write': 'readwrite', boss: 'admin' } as const;
type Instance = keyof typeof INSTANCES;

describeWithRedis('Valkey Secrets log in to a real Redis with the access they ask for', () => {
  const redis = redisWorld!;
  const project = world().aiven.mainProject;
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  const secrets = {} as Record<Instance, SecretData>;
  /** Another application's read user on the `reader` service: it must outlive vapp's. */
  let otherReader: SecretData;
  const clients: Redis[] = [];

  async function login(instance: Instance): Promise<Redis> {
    const client = await redisLogin(secrets[instance], instance);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    namespace = await freshNamespace('valkey-cred');
    for (const instance of Object.keys(INSTANCES)) {
      const name = await createInstance(namespace, 'valkeys', instance, { aivenService: false });
      // The service's valkey component is the test Redis: the fake mirrors its users there.
      await fakeAiven().putService(project, { name, type: 'valkey', host: redis.host, ports: { valkey: redis.port } });
    }
    aivenator = await startAivenator({ namespace });
    await createApp(namespace, 'vapp', {
      valkey: Object.entries(INSTANCES).map(([instance, access]) => ({ instance, access, secretName: `vapp-${instance}` })),
    });
    await createApp(namespace, 'other', { valkey: [{ instance: 'reader', access: 'read', secretName: 'other-reader' }] });
    for (const app of ['vapp', 'other']) {
      await eventually(async () => ((await getApp(namespace, app)).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 45_000, `${app} RolloutComplete`);
    }
    for (const instance of Object.keys(INSTANCES) as Instance[]) {
      secrets[instance] = decoded((await secretOrUndefined(namespace, `vapp-${instance}`))!);
    }
    otherReader = decoded((await secretOrUndefined(namespace, 'other-reader'))!);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await aivenator?.stop();
  });

  it('names the Redis it connects to in VALKEY_URI, VALKEY_HOST and VALKEY_PORT', () => {
    for (const instance of Object.keys(INSTANCES) as Instance[]) {
      const k = valkeyKey(instance);
      const s = secrets[instance];
      expect(s[`VALKEY_HOST_${k}`].toString()).toBe(redis.host);
      expect(s[`VALKEY_PORT_${k}`].toString()).toBe(String(redis.port));
      expect(s[`VALKEY_URI_${k}`].toString()).toBe(`valkeys://${redis.host}:${redis.port}`);
    }
  });

  it('lets every access level log in, PING and INFO', async () => {
    for (const instance of Object.keys(INSTANCES) as Instance[]) {
      const client = await login(instance);
      expect(await client.ping()).toBe('PONG');
      expect(await client.info('server')).toMatch(/redis_version:7\./);
    }
  });

  it('lets read GET but not SET', async () => {
    const client = await login('reader');
    await expect(client.get(`${namespace}:read`)).resolves.toBeNull();
    await expect(client.set(`${namespace}:read`, 'x')).rejects.toThrow(/NOPERM/);
  });

  it('lets write SET but not GET', async () => {
    const client = await login('writer');
    await expect(client.set(`${namespace}:write`, 'w')).resolves.toBe('OK');
    await expect(client.get(`${namespace}:write`)).rejects.toThrow(/NOPERM/);
  });

  it('lets readwrite SET and GET', async () => {
    const client = await login('read-write');
    await expect(client.set(`${namespace}:rw`, 'value')).resolves.toBe('OK');
    await expect(client.get(`${namespace}:rw`)).resolves.toBe('value');
    // The reader sees what others wrote.
    await expect((await login('reader')).get(`${namespace}:rw`)).resolves.toBe('value');
  });

  it('lets admin, and only admin, run an admin command (CONFIG GET)', async () => {
    await expect((await login('boss')).config('GET', 'maxmemory')).resolves.toEqual(['maxmemory', expect.stringMatching(/^\d+$/)]);
    for (const instance of ['reader', 'writer', 'read-write'] as const) {
      await expect((await login(instance)).config('GET', 'maxmemory')).rejects.toThrow(/NOPERM/);
    }
  });

  it('closes access once the Secret is deleted and its user removed', async () => {
    const k = valkeyKey('reader');
    const username = secrets.reader[`VALKEY_USERNAME_${k}`].toString();
    const open = await login('reader');
    expect(await open.ping()).toBe('PONG');
    // Nothing may recreate the user: the application goes first. Then the Secret,
    // whose finalizer deletes the Aiven user. (Without its application, vapp's other
    // Secrets are unused too, and the janitor may remove them and their users.)
    await custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'vapp' });
    await deleteSecretThroughFinalizer(namespace, 'vapp-reader', project, `valkey-${namespace}-reader`, username);
    await expect(redisLogin(secrets.reader, 'reader')).rejects.toThrow(/WRONGPASS/);
    // Redis also drops the connections the user had open.
    await eventually(async () => (open.status === 'end' || open.status === 'close' ? true : undefined), 5000, 'the open connection closed');
    // Another application's user of the same service still gets in.
    const other = await redisLogin(otherReader, 'reader');
    clients.push(other);
    expect(other.options.username).not.toBe(username);
    await expect(other.get(`${namespace}:rw`)).resolves.toBe('value');
  });
});
