// Runs a real kube-apiserver backed by a real etcd on loopback, the way
// controller-runtime's envtest does: static tokens, RBAC on, no controllers.
import * as k8s from '@kubernetes/client-node';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { ManagedProcess, freePort, startProcess, waitUntil } from './process';

export interface KubeApiserverInfo {
  server: string;
  /** Member of system:masters. */
  adminToken: string;
  /** A user named `aivenator` without groups: RBAC decides what it may do. */
  restrictedToken: string;
  restrictedUser: string;
}

export interface RunningKubeApiserver extends KubeApiserverInfo {
  processes: ManagedProcess[];
  /** The apiserver's log, which survives restarts. */
  logFile: string;
  /** Stops the kube-apiserver only; etcd keeps the data. */
  down(): Promise<void>;
  /** Starts it again on the same port, with the same etcd, tokens and keys. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startKubeApiserver(binaries: { etcd: string; kubeApiserver: string }, dir: string): Promise<RunningKubeApiserver> {
  fs.mkdirSync(path.join(dir, 'pki'), { recursive: true });
  const adminToken = crypto.randomBytes(16).toString('hex');
  const restrictedToken = crypto.randomBytes(16).toString('hex');
  const restrictedUser = 'aivenator';
  fs.writeFileSync(
    path.join(dir, 'tokens.csv'),
    `${adminToken},admin,admin,"system:masters"\n${restrictedToken},${restrictedUser},${restrictedUser}\n`,
  );
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));

  const etcdPort = await freePort();
  const etcd = startProcess('etcd', binaries.etcd, [
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
    apiserver = startProcess('kube-apiserver', binaries.kubeApiserver, args, logFile);
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
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    server, adminToken, restrictedToken, restrictedUser, logFile, up, down, stop,
    get processes() {
      return apiserver ? [etcd, apiserver] : [etcd];
    },
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

/** A KubeConfig for the local apiserver (its serving certificate is self-signed). */
export function kubeConfigFor(server: string, token: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server, skipTLSVerify: true }],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'local', cluster: 'local', user: 'user', namespace: 'default' }],
    currentContext: 'local',
  });
  return kc;
}
