// The benchmark's world: etcd + kube-apiserver, the Temporal dev server and the
// fake Aiven, each its own process, so the benchmark can read the CPU and
// memory of every one of them. No Kafka broker or Redis: they are not on the
// path being measured and would only add noise on a shared machine.
import { ChildProcess, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { installCrds } from '../src/devworld/crds';
import { kubeConfigFor, startKubeApiserver } from '../src/devworld/kube-apiserver';
import { killWithParent } from '../src/devworld/process';
import { startTemporalServer } from '../src/devworld/temporal-server';
import { findTools } from '../src/devworld/tools';

export interface BenchWorld {
  kube: { server: string; adminToken: string };
  temporal: { address: string; namespace: string };
  aiven: { url: string; token: string; mainProject: string };
  /** The servers' process ids by role. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

const FAKE_AIVEN = path.resolve(__dirname, '..', 'src', 'fake-aiven', 'main.js');

export async function startBenchWorld(dir: string): Promise<BenchWorld> {
  const tools = findTools();
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const mainProject = 'dev-nais-dev';
    const token = crypto.randomBytes(24).toString('hex');
    const [kube, temporal, aiven] = await Promise.all([
      startKubeApiserver(tools, dir).then((k) => { stops.push(k.stop); return k; }),
      startTemporalServer({ binary: tools.temporal, dir }).then((t) => { stops.push(t.stop); return t; }),
      startFakeAivenProcess(token, mainProject).then((a) => { stops.push(a.stop); return a; }),
    ]);
    await installCrds(kubeConfigFor(kube.server, kube.adminToken));
    const pids: Record<string, number> = { 'fake-aiven': aiven.pid, temporal: temporal.process.pid };
    for (const p of kube.processes) pids[p.name] = p.pid;
    return {
      kube: { server: kube.server, adminToken: kube.adminToken },
      temporal: { address: temporal.address, namespace: temporal.namespace },
      aiven: { url: aiven.url, token, mainProject },
      pids,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startFakeAivenProcess(token: string, project: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [FAKE_AIVEN], {
    env: { ...process.env, FAKE_AIVEN_TOKEN: token, FAKE_AIVEN_PROJECTS: project },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  killWithParent(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fake Aiven exited ${code}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
