// The CLI as a user drives it: `aivenator dev` (the sandbox, `npm run dev`)
// in a child process, then status, history, replay, retry and plan against
// it with the environment the sandbox writes, the metrics it serves, and a
// Ctrl-C at the end. The CLI is the compiled one (`dist/`), as `npm run dev`
// and the image run it.
import * as k8s from '@kubernetes/client-node';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../../src/devworld/process';
import { FakeAivenControl } from '../../../src/fake-aiven';
import { AIVENAPP, AivenApplication } from '../../../src/kube/aivenapp-types';
import { mergePatch } from '../../../src/kube/clients';
import { eventually } from '../../env/aivenator';
import { CLI_MAIN as MAIN, ROOT, buildCli, cleanEnv } from '../../env/processes';

jest.setTimeout(120_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...cleanEnv(), ...env }, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `export K=V` lines as the sandbox writes them. */
function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].startsWith("'") ? m[2].slice(1, -1).replace(/'\\''/g, "'") : m[2];
  }
  return env;
}

function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('aivenator CLI end to end, on the dev sandbox', () => {
  let dir: string;
  let sandbox: ChildProcess;
  let sandboxOut = '';
  let env: Record<string, string>;
  let kc: k8s.KubeConfig;
  let uiPort: number;
  let metricsAtConvergence: string;

  beforeAll(async () => {
    // What `npm run dev` runs first.
    buildCli();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-sandbox-'));
    uiPort = await freePort();
    sandbox = spawn(process.execPath, [MAIN, 'dev', '--dir', dir, '--ui-port', String(uiPort), '--metrics-address', '127.0.0.1:0'], {
      env: cleanEnv(),
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sandbox.stdout!.on('data', (d) => (sandboxOut += d));
    sandbox.stderr!.on('data', (d) => (sandboxOut += d));
    await eventually(async () => {
      if (sandbox.exitCode !== null) throw new Error(`the sandbox exited with ${sandbox.exitCode}:\n${sandboxOut}`);
      return /converged/.test(sandboxOut) ? true : undefined;
    }, 100_000, 'the sandbox to converge');
    env = readEnvFile(path.join(dir, 'env'));
    kc = new k8s.KubeConfig();
    kc.loadFromFile(env.KUBECONFIG);
    metricsAtConvergence = await (await fetch(`${env.AIVENATOR_METRICS_URL}/metrics`)).text();
  }, 200_000);

  afterAll(async () => {
    if (!sandbox || sandbox.exitCode !== null) return;
    const exited = new Promise<number | null>((resolve) => sandbox.once('exit', (code) => resolve(code)));
    sandbox.kill('SIGINT');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 40_000));
    const code = await Promise.race([exited, timeout]);
    if (code === 'timeout') sandbox.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    // Ctrl-C stops everything cleanly.
    expect(code).toBe(0);
  }, 60_000);

  it('dev shows each Secret and application as it converges, and how to look', async () => {
    for (const secret of ['orders/checkout-kafka', 'orders/checkout-valkey-sessions', 'orders/payments-kafka', 'analytics/dashboard-opensearch', 'analytics/dashboard-valkey-cache']) {
      expect(sandboxOut).toMatch(new RegExp(`Secret ${secret} written \\(\\d+ keys, user \\S+\\)`));
    }
    for (const app of ['orders/checkout', 'orders/payments', 'analytics/dashboard']) expect(sandboxOut).toContain(`ok  AivenApplication ${app}: RolloutComplete, generation 1`);
    expect(sandboxOut).toContain('All 3 sample applications converged');
    expect(sandboxOut).toMatch(/kubectl --kubeconfig \S+kubeconfig get aivenapp -A/);
    // Copy-paste correct: the edit hint names the sandbox's kubeconfig, not the user's cluster.
    expect(sandboxOut).toMatch(/kubectl --kubeconfig \S+kubeconfig edit aivenapp -n orders checkout/);
    // The Aiven-queue worker has no workflows by design: no warning about it.
    expect(sandboxOut).not.toContain('No workflows registered');
    expect(sandboxOut).toContain(`Temporal UI:  http://127.0.0.1:${uiPort}/namespaces/default/workflows`);
    // The kubeconfig it wrote works, and so does the UI.
    const apps = (await kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ ...AIVENAPP })) as { items: AivenApplication[] };
    expect(apps.items.map((a) => a.metadata.name).sort()).toEqual(['checkout', 'dashboard', 'payments']);
    expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
    expect((await fetch(`${env.AIVENATOR_METRICS_URL}/readyz`)).status).toBe(200);
  });

  it('status prints a table of every application', async () => {
    const run = await cli(['status'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^APP\s+STATE\s+GENERATION\s+SECRETS\s+LAST SYNC\s+ACTOR\s+LAST ERROR$/);
    expect(lines.slice(1).map((l) => l.split(/\s{3,}/).slice(0, 4))).toEqual([
      ['analytics/dashboard', 'RolloutComplete', '1', '2/2'],
      ['orders/checkout', 'RolloutComplete', '1', '2/2'],
      ['orders/payments', 'RolloutComplete', '1', '1/1'],
    ]);
    expect(lines[2]).toMatch(/\d+s ago\s+idle$/);

    const json = await cli(['status', 'orders', '--output', 'json'], env);
    const rows = JSON.parse(json.stdout) as { name: string; secrets: { present: string[] }; actor: { status: string; passes: number } }[];
    expect(rows.map((r) => r.name)).toEqual(['checkout', 'payments']);
    expect(rows[0].secrets.present).toEqual(['checkout-kafka', 'checkout-valkey-sessions']);
    expect(rows[0].actor).toMatchObject({ status: 'RUNNING', passes: 1 });

    // -n is the Kubernetes namespace, as with kubectl.
    const byFlag = await cli(['status', '-n', 'orders', '-o', 'json'], env);
    expect((JSON.parse(byFlag.stdout) as { name: string }[]).map((r) => r.name)).toEqual(['checkout', 'payments']);
    const one = await cli(['status', '-n', 'orders', 'payments', '-o', 'json'], env);
    expect((JSON.parse(one.stdout) as { name: string }[]).map((r) => r.name)).toEqual(['payments']);

    const missing = await cli(['status', 'orders/nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('AivenApplication orders/nope not found');
  });

  it('history shows the audit timeline of an application, without a single credential', async () => {
    const run = await cli(['history', 'orders/checkout'], env);
    expect(run.code).toBe(0);
    const text = run.stdout;
    expect(text).toContain('History of orders/checkout (workflow aivenapp/orders/checkout, 1 run(s)):');
    expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {12}actor started for orders\/checkout/);
    expect(text).toContain('signal changed (Created)');
    expect(text).toMatch(/pass 1 {4}pass 1 started/);
    expect(text).toMatch(/read generation 1, spec hash [0-9a-f]+, missing Secrets: checkout-kafka, checkout-valkey-sessions/);
    expect(text).toMatch(/created kafka user orders_checkout_[0-9a-f]{8}_\S{3} in dev-nais-dev\/kafka/);
    expect(text).toMatch(/Secret orders\/checkout-kafka created \(data hash [0-9a-f]{16}\)/);
    expect(text).toMatch(/created valkey user checkout-rw-\S{3} in dev-nais-dev\/valkey-orders-sessions/);
    expect(text).toContain('status written: RolloutComplete for generation 1 (HashChanged, 2 Secret(s))');
    expect(text).toContain('AivenSyncState=RolloutComplete');

    const json = await cli(['history', '-n', 'orders', 'checkout', '-o', 'json'], env);
    const entries = (JSON.parse(json.stdout) as { entries: { kind: string }[] }).entries;
    expect(entries.filter((e) => e.kind === 'secret')).toHaveLength(2);

    // Every password, key and certificate in the Secrets is absent from what history printed.
    const secrets = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace: 'orders', labelSelector: 'app=checkout' });
    const values = secrets.items.flatMap((s) =>
      Object.entries(s.data ?? {})
        .filter(([key]) => /PASSWORD|PRIVATE_KEY|CERTIFICATE|keystore|truststore/.test(key))
        .map(([key, b64]) => ({ key, value: Buffer.from(b64, 'base64').toString(key.includes('store') ? 'base64' : 'utf8') })),
    );
    expect(values.length).toBeGreaterThanOrEqual(5);
    const printed = `${run.stdout}\n${json.stdout}`;
    const leaks = values.filter(({ value }) => value.split('\n').some((line) => line.length >= 16 && !line.startsWith('-----') && printed.includes(line)) || printed.includes(value));
    expect(leaks.map((l) => l.key)).toEqual([]);
  });

  it('replay passes for the recorded histories and fails (exit 1) for one the code no longer matches', async () => {
    const saveDir = path.join(dir, 'histories');
    const good = await cli(['replay', 'orders/checkout', '--save', saveDir], env);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ok {6}aivenapp\/orders\/checkout run [0-9a-f]{8}$/m);
    expect(good.stdout).toContain('1 replayed, 0 failed');
    const [file] = fs.readdirSync(saveDir).map((f) => path.join(saveDir, f));
    expect(path.basename(file)).toMatch(/^aivenapp_orders_checkout-[0-9a-f]{8}\.json$/);
    expect(fs.readFileSync(file, 'utf8')).not.toMatch(/PRIVATE KEY/);

    // As if the workflow had renamed an activity since this history was recorded.
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { history: { events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[] } };
    const scheduled = saved.history.events.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
    scheduled.activityType.name = `${scheduled.activityType.name}V0`;
    const badFile = path.join(dir, 'changed.json');
    fs.writeFileSync(badFile, JSON.stringify(saved));
    const bad = await cli(['replay', '--file', badFile, '--file', file], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAILED {2}aivenapp\/orders\/checkout run [0-9a-f]{8} \(.*changed\.json\): DeterminismViolationError: .*Secret.*V0/m);
    expect(bad.stdout).toContain('2 replayed, 1 failed');

    // Against a bundle made ahead (what the image ships and the worker loads).
    const bundle = path.join(dir, 'workflow-bundle.js');
    expect((await cli(['bundle', bundle], {})).code).toBe(0);
    const json = await cli(['replay', '--file', file, '--bundle', bundle, '-o', 'json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ replayed: 1, failed: 0, results: [{ workflowId: 'aivenapp/orders/checkout', ok: true }] });
  });

  it('retry --failed re-runs a failed application at once, instead of after its 100 s back-off', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...AIVENAPP, namespace: 'orders',
      body: { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name: 'broken', namespace: 'orders', labels: { app: 'broken', team: 'orders' } }, spec: { valkey: [{ instance: 'queue', secretName: 'broken-valkey-queue' }] } },
    });
    const state = async () => ((await custom.getNamespacedCustomObject({ ...AIVENAPP, namespace: 'orders', name: 'broken' })) as AivenApplication).status?.synchronizationState;
    await eventually(async () => ((await state()) === 'RolloutFailed' ? true : undefined), 30_000, 'RolloutFailed');

    const status = await cli(['status', 'orders/broken'], env);
    expect(status.stdout).toMatch(/orders\/broken\s+RolloutFailed\s+1\s+0\/1\s+.*next pass in \d+s\s+\S+: no aiven\.io valkeys object named valkey-orders-queue/);

    const replay = await cli(['replay', '--failed'], env);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^ok {6}aivenapp\/orders\/broken run/m);

    // The operator fixes the cause: the instance now exists and runs.
    const name = 'valkey-orders-queue';
    await new FakeAivenControl(env.AIVENATOR_AIVEN_URL).putService(env.AIVENATOR_MAIN_PROJECT, { name, type: 'valkey' });
    await custom.createNamespacedCustomObject({ group: 'aiven.io', version: 'v1alpha1', plural: 'valkeys', namespace: 'orders', body: { apiVersion: 'aiven.io/v1alpha1', kind: 'Valkey', metadata: { name, namespace: 'orders' }, spec: {} } });
    await custom.patchNamespacedCustomObjectStatus({ group: 'aiven.io', version: 'v1alpha1', plural: 'valkeys', namespace: 'orders', name, body: { status: { state: 'RUNNING' } } }, mergePatch);

    const started = Date.now();
    const retry = await cli(['retry', '--failed'], env);
    expect(retry.code).toBe(0);
    expect(retry.stdout.trim()).toBe('retry requested: orders/broken');
    await eventually(async () => ((await state()) === 'RolloutComplete' ? true : undefined), 30_000, 'RolloutComplete after the retry');
    expect(Date.now() - started).toBeLessThan(60_000);

    const history = await cli(['history', 'orders/broken'], env);
    expect(history.stdout).toMatch(/pass 1 {4}syncValkeySecret failed after 1 attempt\(s\): \[InstanceNotFound\] no aiven\.io valkeys object named valkey-orders-queue/);
    expect(history.stdout).toMatch(/pass 1 {4}status written: RolloutFailed, .* \(will retry\)/);
    expect(history.stdout).toMatch(/pass 1 {4}waiting 100s for the next pass/);
    expect(history.stdout).toContain('signal changed (ManualRetry)');
    expect(history.stdout).toMatch(/pass 2 {4}Secret orders\/broken-valkey-queue created/);

    const none = await cli(['retry', '--failed'], env);
    expect(none.stdout.trim()).toBe('No failed applications.');
    const one = await cli(['retry', 'orders/payments', '-o', 'json'], env);
    expect(JSON.parse(one.stdout)).toEqual({ signalled: ['orders/payments'], failures: [] });
  });

  it('serves metrics whose values moved with the work', async () => {
    const now = await (await fetch(`${env.AIVENATOR_METRICS_URL}/metrics`)).text();
    const complete = { synchronization_state: 'RolloutComplete' };
    expect(metricValue(metricsAtConvergence, 'aivenator_aiven_applications_processed', complete)).toBeGreaterThanOrEqual(3);
    expect(metricValue(now, 'aivenator_aiven_applications_processed', complete)).toBeGreaterThan(3);
    expect(metricValue(now, 'aivenator_aiven_applications_processed', { synchronization_state: 'RolloutFailed' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(now, 'aivenator_service_users_created')).toBeGreaterThan(metricValue(metricsAtConvergence, 'aivenator_service_users_created'));
    expect(metricValue(now, 'aivenator_kubernetes_resources_written', { namespace: 'orders', resource_type: 'Secret' })).toBe(4);
    expect(metricValue(now, 'aivenator_aiven_latency_count', { operation: 'createServiceUser' })).toBeGreaterThanOrEqual(6);
    expect(metricValue(now, 'aivenator_kubernetes_latency_count', { operation: 'patch secrets' })).toBeGreaterThanOrEqual(6);
    expect(metricValue(now, 'aivenator_service_users', { service: 'valkey-orders-sessions' })).toBeGreaterThanOrEqual(1);
    // The Temporal SDK's own metrics come on the same endpoint.
    expect(now).toMatch(/^temporal_worker_task_slots_available\{/m);
    expect(now).toMatch(/^temporal_workflow_task_execution_latency_count\{/m);
  });

  it('plan shows what a manifest would create, without a cluster', async () => {
    const fixture = path.join(ROOT, 'test', 'unit', 'cli', 'fixtures', 'apps.yaml');
    const run = await cli(['plan', fixture, '--generation', '0'], {});
    expect(run.code).toBe(1); // one of the two applications would fail
    expect(run.stdout).toContain('AivenApplication team-a/test-app: 3 Secret(s)');
    expect(run.stdout).toMatch(/user: {5}team-a-rw-3D_ in dev-nais-dev\/opensearch-team-a-logs or logs, access readwrite/);
    expect(run.stdout).toMatch(/keys: {5}AIVEN_CA, AIVEN_SECRET_UPDATED, KAFKA_BROKERS/);
    expect(run.stdout).toContain('problem:    PoolNotAllowed');

    const good = path.join(dir, 'good.yaml');
    fs.writeFileSync(good, fs.readFileSync(fixture, 'utf8').split('\n---\n')[0]);
    const ok = await cli(['plan', good, '-o', 'json'], {});
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { applications: { secrets: unknown[] }[] }).applications[0].secrets).toHaveLength(3);
  });

  it('refuses to run a worker with a token Aiven rejects (exit 4), or without one (exit 2)', async () => {
    const base = { TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS, KUBECONFIG: env.KUBECONFIG, AIVENATOR_AIVEN_URL: env.AIVENATOR_AIVEN_URL, AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true', AIVENATOR_METRICS_ADDRESS: '127.0.0.1:0', AIVENATOR_TEMPORAL_METRICS_ADDRESS: 'off' };
    const wrong = await cli(['worker'], { ...base, AIVENATOR_AIVEN_TOKEN: 'not-the-token' });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/aivenator: Aiven refused the token \(GET .*\/v1\/project: .*HTTP 40[13]/);
    expect(`${wrong.stdout}${wrong.stderr}`).not.toContain('not-the-token');
    const none = await cli(['run'], base);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('AIVENATOR_AIVEN_TOKEN is required');
  });
});
