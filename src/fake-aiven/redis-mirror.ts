// Mirrors the users of the fake's Valkey services into a real Redis (7.x, whose
// ACL model Valkey kept): each user becomes `ACL SETUSER <user> reset on >pw
// <categories> <commands> ~<keys> &<channels>` built from its access_control, and
// a deleted user is removed with `ACL DELUSER`. A client then logs in with the
// credentials Aivenator wrote and is refused what its access level forbids.
//
// Follows the Valkey services whose `valkey` component points at this Redis, so a
// test decides which services are real by their components.

import Redis from 'ioredis';
import { pointsAt, type MirroredService, type MirroredUser, type StoreMirror } from './mirror';

/** The Redis user the mirror acts as; never mirrored over. */
const ADMIN_USER = 'default';

/** A connection to the test Redis as its admin user; fails fast instead of queueing or reconnecting for ever. */
export async function connectRedis(host: string, port: number, password?: string, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({
    host, port, username: password === undefined ? undefined : ADMIN_USER, password,
    lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null,
  });
  client.on('error', () => undefined); // surfaced through the failed command instead
  await client.connect();
  return client;
}

/**
 * The ACL rules for a Valkey user's access_control, in Redis syntax: categories
 * and commands as given (`-@all`, `+@read`, `+info`, `+cluster|slots`), key
 * patterns prefixed with `~` and channel patterns with `&` (Redis 7). A user
 * without access_control (the primary avnadmin) may do everything, as on Aiven.
 * A missing list grants nothing of its kind (`reset` clears keys and channels).
 */
export function redisAclRules(accessControl: Record<string, unknown> | undefined): string[] {
  if (accessControl === undefined) return ['+@all', '~*', '&*'];
  const list = (key: string): string[] => {
    const value = accessControl[key];
    return Array.isArray(value) ? value.map(String) : [];
  };
  return [
    ...list('valkey_acl_categories'),
    ...list('valkey_acl_commands'),
    ...list('valkey_acl_keys').map((k) => (k.startsWith('~') || k.startsWith('%') ? k : `~${k}`)),
    ...list('valkey_acl_channels').map((c) => (c.startsWith('&') ? c : `&${c}`)),
  ];
}

export interface RedisMirrorOptions {
  host: string;
  port: number;
  /** The password of Redis's `default` user (requirepass), which the mirror acts as. */
  adminPassword?: string;
}

export class RedisMirror implements StoreMirror {
  readonly name: string;
  private client?: Redis;
  /** username → the rules last set, for users this mirror manages. */
  private mirrored?: Map<string, string>;

  constructor(private readonly opts: RedisMirrorOptions) {
    this.name = `redis ${opts.host}:${opts.port}`;
  }

  follows(service: MirroredService): boolean {
    return service.type === 'valkey' && pointsAt(service, 'valkey', this.opts.host, this.opts.port);
  }

  async sync(users: MirroredUser[]): Promise<void> {
    const client = await this.connection();
    if (!this.mirrored) {
      // First sync: anything but the admin user is ours to manage.
      const existing = (await client.call('ACL', 'USERS')) as string[];
      this.mirrored = new Map(existing.filter((u) => u !== ADMIN_USER).map((u) => [u, '']));
    }
    const desired = new Map<string, string[]>();
    for (const u of users) {
      if (u.username === ADMIN_USER) continue;
      // If two followed services have a user of the same name, the later one wins.
      desired.set(u.username, ['reset', 'on', `>${u.password}`, ...redisAclRules(u.accessControl)]);
    }
    for (const [username, rules] of desired) {
      const key = rules.join('\u0000');
      if (this.mirrored.get(username) === key) continue;
      await client.call('ACL', 'SETUSER', username, ...rules);
      this.mirrored.set(username, key);
    }
    for (const username of [...this.mirrored.keys()]) {
      if (desired.has(username)) continue;
      // Redis also disconnects the clients authenticated as a deleted user.
      await client.call('ACL', 'DELUSER', username);
      this.mirrored.delete(username);
    }
  }

  async close(): Promise<void> {
    this.client?.disconnect();
    this.client = undefined;
  }

  private async connection(): Promise<Redis> {
    if (this.client?.status === 'ready') return this.client;
    this.client?.disconnect();
    this.client = await connectRedis(this.opts.host, this.opts.port, this.opts.adminPassword);
    return this.client;
  }
}
