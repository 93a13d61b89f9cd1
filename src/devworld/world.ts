// The whole local world: etcd + kube-apiserver with our CRDs, a Temporal dev
// server and the fake Aiven. Used by the test harness and by the sandbox.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeAiven } from '../fake-aiven';
import { installCrds } from './crds';
import { KubeApiserverInfo, kubeConfigFor, startKubeApiserver } from './kube-apiserver';
import { startTemporalServer } from './temporal-server';
import { findTools } from './tools';

export interface WorldInfo {
  dir: string;
  kube: KubeApiserverInfo;
  temporal: { address: string; namespace: string; uiUrl?: string };
  aiven: { url: string; token: string; mainProject: string; projects: string[] };
  logFiles: string[];
}

export interface WorldOptions {
  dir?: string;
  /** Temporal's SQLite file; in memory when absent. */
  temporalDbFile?: string;
  temporalUiPort?: number;
  aivenProjects?: string[];
}

export interface RunningWorld {
  info: WorldInfo;
  stop(): Promise<void>;
}

export async function startWorld(opts: WorldOptions = {}): Promise<RunningWorld> {
  const tools = findTools();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-world-'));
  fs.mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const projects = opts.aivenProjects ?? ['dev-nais-dev'];
    const token = crypto.randomBytes(24).toString('hex');
    // Started in parallel: the apiserver is the slow one.
    const [kube, temporal, aiven] = await Promise.all([
      startKubeApiserver(tools, dir).then((k) => { stops.push(k.stop); return k; }),
      startTemporalServer({ binary: tools.temporal, dir, dbFile: opts.temporalDbFile, uiPort: opts.temporalUiPort })
        .then((t) => { stops.push(t.stop); return t; }),
      startFakeAiven({ token, projects }).then((a) => { stops.push(a.close); return a; }),
    ]);
    await installCrds(kubeConfigFor(kube.server, kube.adminToken));
    const info: WorldInfo = {
      dir,
      kube: { server: kube.server, adminToken: kube.adminToken, restrictedToken: kube.restrictedToken, restrictedUser: kube.restrictedUser },
      temporal: { address: temporal.address, namespace: temporal.namespace, uiUrl: temporal.uiUrl },
      aiven: { url: aiven.url, token, mainProject: projects[0], projects },
      logFiles: [...kube.processes.map((p) => p.logFile), temporal.process.logFile],
    };
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
