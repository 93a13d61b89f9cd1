// `npm run bench`: N AivenApplications created at once against the real
// apiserver, the Temporal dev server and the fake Aiven (latency L), with the
// worker and the controller as separate processes. Prints a table and JSON.
//   BENCH_APPS (100)  BENCH_LATENCY_MS (0)  BENCH_NAMESPACES (10)  BENCH_TIMEOUT_S (900)
import * as k8s from '@kubernetes/client-node';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { FakeAivenControl } from '../src/fake-aiven';
import { freePort } from '../src/devworld/process';
import { kubeConfigFor } from '../src/devworld/kube-apiserver';
import { startWorld } from '../src/devworld/world';
import { AIVENAPP, AivenApplication } from '../src/kube/aivenapp-types';
import { stateQuery } from '../workflows';
import { appWorkflowId } from '../workflows/ids';
import { apiserverWrites, diff, percentile, processUsage } from './measure';

const N = Number(process.env.BENCH_APPS ?? 100);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 0);
const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 10);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 900) * 1000;
const CLI = path.resolve(__dirname, '..', 'src', 'cli', 'main.js');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-bench-'));
  const world = await startWorld({ dir });
  const children: ChildProcess[] = [];
  try {
    const { info } = world;
    const kc = kubeConfigFor(info.kube.server, info.kube.adminToken);
    const kubeconfigFile = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfigFile, kc.exportConfig());
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const fake = new FakeAivenControl(info.aiven.url);
    await fake.setKnobs({ latencyMs: LATENCY });

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AIVENATOR_AIVEN_TOKEN: info.aiven.token,
      AIVENATOR_AIVEN_URL: info.aiven.url,
      AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true',
      AIVENATOR_PROJECTS: info.aiven.projects.join(' '),
      AIVENATOR_MAIN_PROJECT: info.aiven.mainProject,
      AIVENATOR_LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: info.temporal.address,
      TEMPORAL_NAMESPACE: info.temporal.namespace,
    };
    const start = async (mode: 'worker' | 'controller') => {
      const child = spawn(process.execPath, [CLI, mode, '--kubeconfig', kubeconfigFile], {
        env: { ...env, AIVENATOR_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` },
        stdio: ['ignore', fs.openSync(path.join(dir, `${mode}.log`), 'a'), fs.openSync(path.join(dir, `${mode}.log`), 'a')],
      });
      children.push(child);
      return child;
    };
    // A prebuilt workflow bundle, as the image ships: the worker's memory is not webpack's.
    const bundle = path.join(dir, 'workflow-bundle.js');
    await new Promise<void>((resolve, reject) => spawn(process.execPath, [CLI, 'bundle', bundle], { stdio: 'ignore' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bundle exited ${code}`)))));
    env.AIVENATOR_WORKFLOW_BUNDLE = bundle;
    const worker = await start('worker');
    const controller = await start('controller');

    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
    for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });
    const apps = Array.from({ length: N }, (_, i) => ({ namespace: namespaces[i % NAMESPACES], name: `app-${i}` }));

    const secretSeen = new Map<string, number>();
    const informer = k8s.makeInformer(kc, '/api/v1/secrets', () => core.listSecretForAllNamespaces({ labelSelector: 'type=aivenator.aiven.nais.io' }), 'type=aivenator.aiven.nais.io');
    informer.on('add', (s) => {
      const key = `${s.metadata?.namespace}/${s.metadata?.labels?.app}`;
      if (!secretSeen.has(key)) secretSeen.set(key, Date.now());
    });
    await informer.start();

    const writesBefore = await apiserverWrites(info.kube.server, info.kube.adminToken);
    const aivenBefore = (await fake.getCounters()).byOperation as Record<string, number>;
    const createdAt = new Map<string, number>();
    const started = Date.now();
    await pool(apps, 20, async (app) => {
      createdAt.set(`${app.namespace}/${app.name}`, Date.now());
      await custom.createNamespacedCustomObject({
        ...AIVENAPP,
        namespace: app.namespace,
        body: { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name: app.name, namespace: app.namespace, labels: { app: app.name } }, spec: { kafka: { pool: info.aiven.mainProject, secretName: `${app.name}-kafka` } } },
      });
    });
    process.stderr.write(`bench: created ${N} apps in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for convergence\n`);

    let converged = 0;
    while (Date.now() - started < TIMEOUT_MS) {
      const list = (await custom.listClusterCustomObject({ ...AIVENAPP })) as { items: AivenApplication[] };
      converged = list.items.filter((a) => a.status?.synchronizationState === 'RolloutComplete' && a.status.synchronizedGeneration === a.metadata.generation).length;
      process.stderr.write(`\rbench: ${converged}/${N} converged after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (converged >= N) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const convergedS = (Date.now() - started) / 1000;
    process.stderr.write('\n');
    await new Promise((r) => setTimeout(r, 2000)); // let the last status and events land before counting

    const writes = diff(await apiserverWrites(info.kube.server, info.kube.adminToken), writesBefore);
    // The benchmark's own creates are not Aivenator's writes.
    delete writes['POST aivenapplications'];
    const aivenAfter = (await fake.getCounters()).byOperation as Record<string, number>;
    const aivenPerApp: Record<string, number> = Object.fromEntries(
      Object.entries(aivenAfter).map(([op, n]): [string, number] => [op, round((n - (aivenBefore[op] ?? 0)) / N)]).filter(([, n]) => n > 0),
    );
    const latencies = apps.map((a) => (secretSeen.get(`${a.namespace}/${a.name}`) ?? NaN) - createdAt.get(`${a.namespace}/${a.name}`)!).filter((n) => !Number.isNaN(n)).sort((a, b) => a - b);

    const connection = await Connection.connect({ address: info.temporal.address });
    const client = new Client({ connection, namespace: info.temporal.namespace });
    const histories: { length: number; passes: number }[] = [];
    await pool(apps, 20, async (app) => {
      const handle = client.workflow.getHandle(appWorkflowId(app.namespace, app.name));
      const [description, state] = await Promise.all([handle.describe(), handle.query(stateQuery)]);
      histories.push({ length: description.historyLength, passes: state.passes });
    });
    await connection.close();
    informer.stop();

    const k8sWrites = Object.values(writes).reduce((a, b) => a + b, 0);
    const result = {
      machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
      apps: N,
      aivenLatencyMs: LATENCY,
      converged,
      secondsUntilAllConverged: round(convergedS),
      createToSecretMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      aivenCallsPerApp: aivenPerApp,
      aivenCallsPerAppTotal: round(Object.values(aivenPerApp).reduce((a, b) => a + b, 0)),
      kubernetesWritesPerApp: round(k8sWrites / N),
      kubernetesWritesByKind: writes,
      historyEventsPerReconcile: round(histories.reduce((a, h) => a + h.length, 0) / Math.max(1, histories.reduce((a, h) => a + h.passes, 0))),
      largestHistory: Math.max(...histories.map((h) => h.length)),
      worker: processUsage(worker.pid!),
      controller: processUsage(controller.pid!),
    };
    printTable(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await world.stop();
  }
}

function printTable(r: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(r)) {
    process.stdout.write(`${key.padEnd(28)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
  }
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

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
