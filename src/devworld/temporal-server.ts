// Runs the Temporal CLI's dev server (a full server with SQLite, optionally the Web UI).
import * as path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { Connection } from '@temporalio/client';
import { ManagedProcess, freePort, startProcess, waitUntil } from './process';

export interface TemporalServerOptions {
  binary: string;
  dir: string;
  namespace?: string;
  /** SQLite file; in memory when absent. */
  dbFile?: string;
  port?: number;
  /** Start the Web UI on this port (headless when absent). */
  uiPort?: number;
}

export interface RunningTemporalServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startTemporalServer(opts: TemporalServerOptions): Promise<RunningTemporalServer> {
  const port = opts.port ?? (await freePort());
  const namespace = opts.namespace ?? 'default';
  // The dev server also binds ports of its own choosing (internal services); a
  // clash with another process is rare but fatal, so a bind failure gets new tries.
  for (let attempt = 1; ; attempt++) {
    const proc = startProcess('temporal', opts.binary, await serverArgs(opts, port, namespace), path.join(opts.dir, 'temporal.log'));
    try {
      await waitUntil(proc, () => namespaceReady(`127.0.0.1:${port}`, namespace), 60_000);
    } catch (err) {
      await proc.stop();
      if (attempt < 3 && /address already in use/.test(String(err))) continue;
      throw err;
    }
    return {
      address: `127.0.0.1:${port}`,
      namespace,
      uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
      process: proc,
      stop: () => proc.stop(),
    };
  }
}

async function serverArgs(opts: TemporalServerOptions, port: number, namespace: string): Promise<string[]> {
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--namespace', namespace,
    '--log-format', 'json',
    '--log-level', 'warn',
    // Stops the server from calling home for version checks.
    '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
  ];
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  // Explicit free ports keep several dev servers on one machine apart.
  args.push('--http-port', String(await freePort()));
  args.push('--metrics-port', String(await freePort()));
  return args;
}

/** Ready means the frontend answers and the namespace exists. */
async function namespaceReady(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}
