// `npm run bench`: N AivenApplications created at once against the real
// apiserver, the Temporal dev server and the fake Aiven (latency L), with the
// worker and the controller as separate processes. Prints a table and JSON:
// CPU and peak RSS of every process, apiserver requests by verb, Aiven calls,
// history sizes.
//   --profile   CPU profiles (node --cpu-prof) of worker and controller, summarised
//   --restart   then restart worker and controller over the N converged apps and
//               measure the takeover (CPU, Aiven calls, writes)
//   BENCH_APPS (100)  BENCH_LATENCY_MS (0)  BENCH_NAMESPACES (10)  BENCH_TIMEOUT_S (900)
//   BENCH_WORKER_ENV  extra worker environment, e.g. "AIVENATOR_X=1 AIVENATOR_Y=2"
import * as k8s from '@kubernetes/client-node';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { FakeAivenControl } from '../src/fake-aiven';
import { freePort, killWithParent } from '../src/devworld/process';
import { kubeConfigFor } from '../src/devworld/kube-apiserver';
import { AIVENAPP, AivenApplication } from '../src/kube/aivenapp-types';
import { stateQuery } from '../workflows';
import { appWorkflowId } from '../workflows/ids';
import { apiserverRequests, diff, isWrite, percentile, usageOf, usageTable } from './measure';
import { printProfile, summariseProfiles } from './profile';
import { BenchWorld, startBenchWorld } from './world';

const N = Number(process.env.BENCH_APPS ?? 100);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 0);
const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 10);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 900) * 1000;
const PROFILE = process.argv.includes('--profile');
const RESTART = process.argv.includes('--restart');
const CLI = path.resolve(__dirname, '..', 'src', 'cli', 'main.js');

type Role = 'worker' | 'controller';
type App = { namespace: string; name: string };

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // Exiting runs killWithParent's clean-up: no server outlives an interrupted bench.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-bench-'));
  log(`bench: ${N} apps, latency ${LATENCY} ms, dir ${dir}, load ${loadavg()}`);
  const world = await startBenchWorld(dir);
  const children = new Set<ChildProcess>();
  try {
    const kc = kubeConfigFor(world.kube.server, world.kube.adminToken);
    const kubeconfigFile = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfigFile, kc.exportConfig());
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const fake = new FakeAivenControl(world.aiven.url);
    await fake.setKnobs({ latencyMs: LATENCY });

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AIVENATOR_AIVEN_TOKEN: world.aiven.token,
      AIVENATOR_AIVEN_URL: world.aiven.url,
      AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true',
      AIVENATOR_PROJECTS: world.aiven.mainProject,
      AIVENATOR_MAIN_PROJECT: world.aiven.mainProject,
      AIVENATOR_LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: world.temporal.address,
      TEMPORAL_NAMESPACE: world.temporal.namespace,
    };
    const extra = Object.fromEntries((process.env.BENCH_WORKER_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]));
    const metricsUrls = new Map<ChildProcess, string>();
    const start = async (role: Role, phase: string) => {
      const metricsAddress = `127.0.0.1:${await freePort()}`;
      const logFile = fs.openSync(path.join(dir, `${role}.log`), 'a');
      const profile = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, 'prof', phase, role)}`] : [];
      const child = spawn(process.execPath, [...profile, CLI, role, '--kubeconfig', kubeconfigFile], {
        env: { ...env, ...(role === 'worker' ? extra : {}), AIVENATOR_METRICS_ADDRESS: metricsAddress },
        stdio: ['ignore', logFile, logFile],
      });
      children.add(child);
      metricsUrls.set(child, `http://${metricsAddress}/metrics`);
      killWithParent(child);
      child.once('exit', () => children.delete(child));
      return child;
    };
    // A prebuilt workflow bundle, as the image ships: the worker's memory is not webpack's.
    const bundle = path.join(dir, 'workflow-bundle.js');
    await new Promise<void>((resolve, reject) => spawn(process.execPath, [CLI, 'bundle', bundle], { stdio: 'ignore' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bundle exited ${code}`)))));
    env.AIVENATOR_WORKFLOW_BUNDLE = bundle;

    let worker = await start('worker', 'converge');
    let controller = await start('controller', 'converge');
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
    for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });
    const apps: App[] = Array.from({ length: N }, (_, i) => ({ namespace: namespaces[i % NAMESPACES], name: `app-${i}` }));
    const watcher = await watchConvergence(kc, core, custom);

    // The converge phase: N apps created at once.
    const pids = () => ({ ...world.pids, worker: worker.pid!, controller: controller.pid! });
    const before = await snapshot(world, fake, pids());
    const createdAt = new Map<string, number>();
    const started = Date.now();
    await pool(apps, 20, async (app) => {
      createdAt.set(`${app.namespace}/${app.name}`, Date.now());
      await custom.createNamespacedCustomObject({
        ...AIVENAPP,
        namespace: app.namespace,
        body: { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name: app.name, namespace: app.namespace, labels: { app: app.name } }, spec: { kafka: { pool: world.aiven.mainProject, secretName: `${app.name}-kafka` } } },
      });
    });
    log(`bench: created ${N} apps in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for convergence`);
    for (let i = 1; Date.now() - started < TIMEOUT_MS && watcher.converged.size < N; i++) {
      if (i % 20 === 0) log(`bench: ${watcher.converged.size}/${N} converged after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      await sleep(500);
    }
    const convergedS = (Math.max(...watcher.converged.values(), started) - started) / 1000;
    await sleep(2000); // let the last status and events land before counting
    const after = await snapshot(world, fake, pids());
    const latencies = apps.map((a) => (watcher.secretSeen.get(`${a.namespace}/${a.name}`) ?? NaN) - createdAt.get(`${a.namespace}/${a.name}`)!).filter((n) => !Number.isNaN(n)).sort((a, b) => a - b);
    const requests = diff(after.requests, before.requests);
    // The benchmark's own creates are not Aivenator's writes.
    delete requests['POST aivenapplications'];
    const histories = await historySizes(world, apps, true);
    const convergeResult = {
      converged: watcher.converged.size,
      secondsUntilAllConverged: round(convergedS),
      createToSecretMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      ...aivenAndKube(before, after, requests, N),
      historyEventsPerReconcile: round(histories.reduce((a, h) => a + h.length, 0) / Math.max(1, histories.reduce((a, h) => a + (h.passes ?? 0), 0))),
      largestHistory: Math.max(...histories.map((h) => h.length)),
      processes: usageTable(before.usage, after.usage, N),
      load: after.load,
    };
    const result: Record<string, unknown> = { machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) }, apps: N, aivenLatencyMs: LATENCY, converge: convergeResult };

    // Printed now too, so that a failing restart phase does not lose it.
    log(`bench: converge ${JSON.stringify(convergeResult)}`);
    if (RESTART || PROFILE) {
      await Promise.all([stop(worker), stop(controller)]);
    }
    if (RESTART) {
      // The takeover: a new worker and controller over N converged apps.
      const eventsBefore = (await historySizes(world, apps, false)).reduce((a, h) => a + h.length, 0);
      const rBefore = await snapshot(world, fake, pids());
      worker = await start('worker', 'restart');
      controller = await start('controller', 'restart');
      const restartedAt = Date.now();
      await settled(metricsUrls.get(worker)!);
      const settledS = (Date.now() - restartedAt) / 1000;
      const rAfter = await snapshot(world, fake, pids());
      // New processes: their CPU counts from zero.
      rBefore.usage.worker = { cpuSeconds: 0, peakRssMb: 0 };
      rBefore.usage.controller = { cpuSeconds: 0, peakRssMb: 0 };
      const eventsAfter = (await historySizes(world, apps, false)).reduce((a, h) => a + h.length, 0);
      result.restart = {
        secondsUntilSettled: round(settledS),
        ...aivenAndKube(rBefore, rAfter, diff(rAfter.requests, rBefore.requests), N),
        historyEventsAddedPerApp: round((eventsAfter - eventsBefore) / N),
        processes: usageTable(rBefore.usage, rAfter.usage, N),
        load: rAfter.load,
      };
      await Promise.all([stop(worker), stop(controller)]);
    }
    watcher.stop();
    for (const [key, value] of Object.entries(result)) out(`${key.padEnd(28)} ${JSON.stringify(value, null, key === 'converge' || key === 'restart' ? 1 : undefined)}`);
    if (PROFILE) {
      for (const phase of RESTART ? ['converge', 'restart'] : ['converge']) {
        for (const role of ['worker', 'controller'] as Role[]) printProfile(`${phase} ${role}`, summariseProfiles(path.join(dir, 'prof', phase, role)), out);
      }
    }
    out(JSON.stringify(result));
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await world.stop();
  }
}

interface Snapshot {
  usage: ReturnType<typeof usageOf>;
  requests: Map<string, number>;
  aiven: Record<string, number>;
  load: string;
}

async function snapshot(world: BenchWorld, fake: FakeAivenControl, pids: Record<string, number>): Promise<Snapshot> {
  return {
    usage: usageOf(pids),
    requests: await apiserverRequests(world.kube.server, world.kube.adminToken),
    aiven: (await fake.getCounters()).byOperation as Record<string, number>,
    load: loadavg(),
  };
}

function aivenAndKube(before: Snapshot, after: Snapshot, requests: Record<string, number>, apps: number) {
  const aivenPerApp = Object.fromEntries(
    Object.entries(after.aiven).map(([op, n]): [string, number] => [op, round((n - (before.aiven[op] ?? 0)) / apps)]).filter(([, n]) => n > 0),
  );
  const writes = Object.fromEntries(Object.entries(requests).filter(([k]) => isWrite(k)));
  const reads = Object.fromEntries(Object.entries(requests).filter(([k]) => !isWrite(k)));
  return {
    aivenCallsPerApp: aivenPerApp,
    aivenCallsPerAppTotal: round(Object.values(aivenPerApp).reduce((a, b) => a + b, 0)),
    kubernetesWritesPerApp: round(Object.values(writes).reduce((a, b) => a + b, 0) / apps),
    kubernetesWrites: writes,
    kubernetesReadsPerApp: round(Object.values(reads).reduce((a, b) => a + b, 0) / apps),
    kubernetesReads: reads,
  };
}

/**
 * Resolves once the worker has run no workflow task, activity or local activity
 * for 10 s, at least 20 s after it started (the controller has listed and
 * signalled by then). Counted from the worker's Temporal metrics, not its CPU:
 * idle polling and the profiler cost CPU too.
 */
async function settled(metricsUrl: string): Promise<void> {
  const tasks = async () => {
    const text = await fetch(metricsUrl).then((r) => r.text()).catch(() => '');
    return text.split('\n')
      .filter((l) => /^temporal_\w*(workflow_task|activity)\w*_count[{ ]/.test(l) && !/poll|request/.test(l))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };
  const began = Date.now();
  let last = -1;
  let quietSince = Date.now();
  for (;;) {
    const now = await tasks();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - began >= 20_000 && Date.now() - quietSince >= 10_000) {
      return;
    }
    if (Date.now() - began > TIMEOUT_MS) throw new Error('the restarted worker never settled');
    await sleep(1000);
  }
}

/** Watches AivenApplications and Secrets: when each app converged and its Secret appeared. */
async function watchConvergence(kc: k8s.KubeConfig, core: k8s.CoreV1Api, custom: k8s.CustomObjectsApi) {
  const converged = new Map<string, number>();
  const secretSeen = new Map<string, number>();
  const selector = 'type=aivenator.aiven.nais.io';
  const secrets = k8s.makeInformer(kc, '/api/v1/secrets', () => core.listSecretForAllNamespaces({ labelSelector: selector }), selector);
  secrets.on('add', (s) => {
    const key = `${s.metadata?.namespace}/${s.metadata?.labels?.app}`;
    if (!secretSeen.has(key)) secretSeen.set(key, Date.now());
  });
  const appsPath = `/apis/${AIVENAPP.group}/${AIVENAPP.version}/${AIVENAPP.plural}`;
  // Custom objects arrive as plain JSON, so they are typed here rather than by client-node.
  const appList = () => custom.listClusterCustomObject({ ...AIVENAPP }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
  const appInformer = k8s.makeInformer<k8s.KubernetesObject>(kc, appsPath, appList);
  const onApp = (obj: k8s.KubernetesObject) => {
    const a = obj as unknown as AivenApplication;
    const key = `${a.metadata.namespace}/${a.metadata.name}`;
    if (!converged.has(key) && a.status?.synchronizationState === 'RolloutComplete' && a.status.synchronizedGeneration === a.metadata.generation) converged.set(key, Date.now());
  };
  appInformer.on('add', onApp);
  appInformer.on('update', onApp);
  // An informer stops on an error: start it again, as client-node's examples do.
  let stopped = false;
  for (const informer of [secrets, appInformer] as k8s.Informer<k8s.KubernetesObject>[]) {
    informer.on('error', (err: unknown) => {
      log(`bench: informer error (${String(err)}); restarting it`);
      if (!stopped) setTimeout(() => void (stopped || informer.start().catch(() => undefined)), 1000);
    });
  }
  await Promise.all([secrets.start(), appInformer.start()]);
  return { converged, secretSeen, stop: () => { stopped = true; void secrets.stop(); void appInformer.stop(); } };
}

/** History length (from the server, no worker involved) and, if asked, passes (a query: the worker answers). */
async function historySizes(world: BenchWorld, apps: App[], withPasses: boolean): Promise<{ length: number; passes?: number }[]> {
  const connection = await Connection.connect({ address: world.temporal.address });
  const client = new Client({ connection, namespace: world.temporal.namespace });
  const sizes: { length: number; passes?: number }[] = [];
  try {
    await pool(apps, 20, async (app) => {
      const handle = client.workflow.getHandle(appWorkflowId(app.namespace, app.name));
      const [description, state] = await Promise.all([handle.describe(), withPasses ? handle.query(stateQuery) : undefined]);
      sizes.push({ length: description.historyLength, passes: state?.passes });
    });
  } finally {
    await connection.close();
  }
  return sizes;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

function loadavg(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
