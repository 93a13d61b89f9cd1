// Mirrors the users of the fake's Valkey services into a real Redis (7.x, whose
// ACL model Valkey kept): each user becomes `ACL SETUSER <user> reset on >pw
// <categories> <commands> ~<keys> &<channels>` built from its access_control, and
// a deleted user is removed with `ACL DELUSER`. A client then logs in with the
// credentials Aivenator wrote and is refused what its access level forbids.
//
// Follows the Valkey services whose `valkey` component points at this Redis, so a
// test decides which services are real by their components. The Redis protocol
// is spoken directly (RESP2, a few commands) to keep the fake free of client
// libraries; tests use a real client.

import * as net from 'node:net';
import { pointsAt, type MirroredService, type MirroredUser, type StoreMirror } from './mirror';

export type RespReply = string | number | null | RespReply[];

export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
  }
}

interface Pending {
  resolve: (reply: RespReply) => void;
  reject: (err: Error) => void;
}

/** Parses one reply at `offset`; undefined when the buffer does not hold all of it yet. */
function parseReply(buf: Buffer, offset: number): { value: RespReply | RespError; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buf.length < afterLine + length + 2) return undefined;
      return { value: buf.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        // An error inside an array (e.g. EXEC) is kept as its text.
        items.push(item.value instanceof RespError ? item.value.message : item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new RespError(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

/** A minimal Redis connection: one command at a time or pipelined, replies in order. */
export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closedWith?: Error;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(host: string, port: number, timeoutMs = 5000): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`Redis at ${host}:${port}: no connection after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        resolve(new RespClient(socket));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  command(args: string[]): Promise<RespReply> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const parts = [`*${args.length}\r\n`];
    for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(parts.join(''));
    });
  }

  close(): void {
    this.fail(new Error('connection closed by client'));
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    for (;;) {
      let parsed: ReturnType<typeof parseReply>;
      try {
        parsed = parseReply(this.buffer, offset);
      } catch (err) {
        this.fail(err as Error);
        this.socket.destroy();
        return;
      }
      if (!parsed) break;
      offset = parsed.next;
      const waiter = this.pending.shift();
      if (parsed.value instanceof RespError) waiter?.reject(parsed.value);
      else waiter?.resolve(parsed.value);
    }
    this.buffer = this.buffer.subarray(offset);
  }

  private fail(err: Error): void {
    if (!this.closedWith) this.closedWith = err;
    for (const p of this.pending.splice(0)) p.reject(err);
  }
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

/** The Redis user the mirror acts as; never mirrored over. */
const ADMIN_USER = 'default';

export class RedisMirror implements StoreMirror {
  readonly name: string;
  private client?: RespClient;
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
      const existing = (await client.command(['ACL', 'USERS'])) as string[];
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
      await client.command(['ACL', 'SETUSER', username, ...rules]);
      this.mirrored.set(username, key);
    }
    for (const username of [...this.mirrored.keys()]) {
      if (desired.has(username)) continue;
      // Redis also disconnects the clients authenticated as a deleted user.
      await client.command(['ACL', 'DELUSER', username]);
      this.mirrored.delete(username);
    }
  }

  async close(): Promise<void> {
    this.client?.close();
    this.client = undefined;
  }

  private async connection(): Promise<RespClient> {
    if (this.client && !this.client.closed) return this.client;
    const client = await RespClient.connect(this.opts.host, this.opts.port);
    if (this.opts.adminPassword !== undefined) await client.command(['AUTH', ADMIN_USER, this.opts.adminPassword]);
    this.client = client;
    return client;
  }
}
