// Runs Debian's redis-server (7.x; the ACL model Valkey kept) on a free loopback
// port, in memory only, for the fake Aiven to mirror Valkey users into.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectRedis } from '../fake-aiven/redis-mirror';
import { ManagedProcess, freePort, startProcess, waitUntil } from './process';

export interface RedisOptions {
  /** Path of redis-server. */
  binary: string;
  dir: string;
  host?: string;
  port?: number;
}

export interface RunningRedis {
  host: string;
  port: number;
  /** Password of the `default` user (requirepass): only the fake's mirror uses it. */
  adminPassword: string;
  version: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startRedis(opts: RedisOptions): Promise<RunningRedis> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort());
  const adminPassword = crypto.randomBytes(18).toString('base64url');
  const dir = path.join(opts.dir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  // The password goes through a config file, not argv (which `ps` shows).
  const config = path.join(dir, 'redis.conf');
  fs.writeFileSync(config, `requirepass ${adminPassword}\n`, { mode: 0o600 });
  const args = [
    config,
    '--bind', host,
    '--port', String(port),
    '--dir', dir,
    // In memory only: no RDB snapshots, no append-only file.
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--logfile', '',
    '--databases', '1',
  ];
  const proc = startProcess('redis', opts.binary, args, path.join(opts.dir, 'redis.log'));
  let version = '';
  try {
    await waitUntil(proc, async () => {
      const client = await connectRedis(host, port, adminPassword, 1000);
      try {
        const info = await client.info('server');
        version = /redis_version:(\S+)/.exec(info)?.[1] ?? '';
        return true;
      } finally {
        client.disconnect();
      }
    }, 30_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { host, port, adminPassword, version, process: proc, stop: () => proc.stop() };
}

/** redis-server from PATH or the usual Debian location; undefined when not installed. */
export function findRedisServer(): string | undefined {
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'redis-server')),
    '/usr/bin/redis-server',
    '/usr/sbin/redis-server',
  ];
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
