// A test's own Temporal dev server (file-backed) and kube-apiserver (with its
// own etcd and the CRDs), each restartable on the same address, so a test can
// take them down mid-run without disturbing the shared world.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { installCrds } from '../../src/devworld/crds';
import { kubeConfigFor } from '../../src/devworld/kube-apiserver';
import { ManagedProcess, freePort, startProcess, waitUntil } from '../../src/devworld/process';
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

export interface RestartableKube {
  server: string;
  adminToken: string;
  /** Stops the kube-apiserver (etcd keeps running); `up()` starts it again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  logFile: string;
}

/** etcd plus a kube-apiserver as src/devworld/kube-apiserver.ts runs them, but on fixed ports so it can restart. */
export async function startRestartableKube(dir: string): Promise<RestartableKube> {
  const tools = findTools();
  fs.mkdirSync(path.join(dir, 'pki'), { recursive: true });
  const adminToken = crypto.randomBytes(16).toString('hex');
  fs.writeFileSync(path.join(dir, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`);
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  const etcdPort = await freePort();
  const etcd = startProcess('etcd', tools.etcd, [
    `--data-dir=${path.join(dir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
    '--listen-peer-urls=http://127.0.0.1:0',
    '--unsafe-no-fsync',
  ], path.join(dir, 'etcd.log'));
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const logFile = path.join(dir, 'kube-apiserver.log');
  const args = [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    `--cert-dir=${path.join(dir, 'pki')}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    '--authorization-mode=RBAC',
    `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${path.join(dir, 'sa.key')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
    '--disable-admission-plugins=ServiceAccount',
  ];
  let apiserver: ManagedProcess | undefined;
  const up = async () => {
    if (apiserver) return;
    apiserver = startProcess('kube-apiserver', tools.kubeApiserver, args, logFile);
    await waitUntil(apiserver, () => readyz(server, adminToken), 120_000);
  };
  const down = async () => {
    await apiserver?.stop();
    apiserver = undefined;
  };
  const stop = async () => {
    await down();
    await etcd.stop();
  };
  try {
    await up();
    await installCrds(kubeConfigFor(server, adminToken));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    server,
    adminToken,
    logFile,
    up,
    down,
    async restart() {
      await down();
      await up();
    },
    stop,
  };
}

function readyz(server: string, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${server}/readyz`, { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}
