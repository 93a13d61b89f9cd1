// A test's own Temporal dev server (file-backed) and kube-apiserver (with its
// own etcd and the CRDs), each restartable on the same address, so a test can
// take them down mid-run without disturbing the shared world.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installCrds } from '../../src/devworld/crds';
import { RunningKubeApiserver, kubeConfigFor, startKubeApiserver } from '../../src/devworld/kube-apiserver';
import { freePort } from '../../src/devworld/process';
import { RunningTemporalServer, startTemporalServer } from '../../src/devworld/temporal-server';
import { findTools } from '../../src/devworld/tools';

export interface RestartableTemporal {
  address: string;
  namespace: string;
  dbFile: string;
  /** Stops the server (SIGTERM); `start()` brings it back on the same port with the same database. */
  down(): Promise<void>;
  up(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartableTemporal(dir: string): Promise<RestartableTemporal> {
  fs.mkdirSync(dir, { recursive: true });
  const tools = findTools();
  const port = await freePort();
  const dbFile = path.join(dir, 'temporal.db');
  let server: RunningTemporalServer | undefined;
  const up = async () => {
    if (!server) server = await startTemporalServer({ binary: tools.temporal, dir, dbFile, port });
  };
  const down = async () => {
    await server?.stop();
    server = undefined;
  };
  await up();
  return {
    address: `127.0.0.1:${port}`,
    namespace: server!.namespace,
    dbFile,
    up,
    down,
    async restart() {
      await down();
      await up();
    },
    stop: down,
  };
}

export interface RestartableKube extends RunningKubeApiserver {
  restart(): Promise<void>;
}

/** etcd plus a kube-apiserver with the CRDs, whose apiserver can be restarted on the same port. */
export async function startRestartableKube(dir: string): Promise<RestartableKube> {
  fs.mkdirSync(dir, { recursive: true });
  const kube = await startKubeApiserver(findTools(), dir);
  try {
    await installCrds(kubeConfigFor(kube.server, kube.adminToken));
  } catch (err) {
    await kube.stop();
    throw err;
  }
  return Object.assign(kube, {
    async restart() {
      await kube.down();
      await kube.up();
    },
  });
}
