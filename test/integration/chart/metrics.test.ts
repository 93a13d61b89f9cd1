// Every metric the chart's alerts (PrometheusRule) and dashboard use is exported
// by a running worker or controller (`aivenator worker` / `aivenator controller`
// processes, as the Deployments run them), scraped from /metrics. Series that
// only exist after an event are made to exist by causing it: a drift repair
// (a user deleted behind Aivenator's back), a failing finalizer activity (Aiven
// answers 500 to a user deletion) and Temporal unreachable (the worker's
// connection cut) — and the alerts' label matchers are checked against them.
// Names and matchers come from Prometheus's own PromQL parser (test/tools/promql).
import * as k8s from '@kubernetes/client-node';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort } from '../../../src/devworld/process';
import { kafkaServiceUserNameWithSuffix } from '../../../src/naming/names';
import { eventually, fakeAiven, isConverged } from '../../env/aivenator';
import { AivenatorProcess, artifactsDir, buildCli } from '../../env/processes';
import { adminKubeConfig, freshNamespace, world } from '../../env/world';
import { createApp, createInstance, getApp } from '../reconcile/fixtures';
import { exportedFamilies, family, satisfied } from './exposition';
import { CHART, one, parsePromql, render } from './helm';

/** Label values the alerts select on, made to occur below. */
const MUST_MATCH = [
  { metric: 'temporal_activity_execution_failed', label: 'activity_type' },
  { metric: 'aivenator_service_users_count', label: 'pool' },
];

/** A TCP proxy to Temporal that can be cut, to make Temporal unreachable for one process only. */
async function temporalProxy(target: string): Promise<{ address: string; cut(): Promise<void> }> {
  const [host, port] = target.split(':');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const listenPort = await freePort();
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${listenPort}`,
    cut: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

describe('alerts and dashboard use metrics Aivenator exports', () => {
  const objects = render({ values: { prometheusRule: { enabled: true } } });
  const alerts = one(objects, 'PrometheusRule').spec.groups.flatMap((g: { rules: { alert: string; expr: string }[] }) => g.rules) as { alert: string; expr: string }[];
  const dashboard = JSON.parse(fs.readFileSync(path.join(CHART, 'dashboards', 'aivenator.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const exprs = [...alerts.map((a) => ({ where: `alert ${a.alert}`, expr: a.expr })), ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })))];
  const parsed = parsePromql(exprs.map((e) => e.expr));
  const used = new Map<string, string[]>();
  exprs.forEach(({ where }, i) => {
    for (const { metric } of parsed[i].selectors) used.set(family(metric), [...(used.get(family(metric)) ?? []), where]);
  });
  /** The alerts' label matchers, each with its metric. */
  const alertMatchers = alerts.flatMap((_a, i) => parsed[i].selectors.flatMap((s) => s.matchers.map((m) => ({ metric: s.metric, ...m }))));

  let namespace: string;
  let worker: AivenatorProcess;
  let controller: AivenatorProcess;
  let cutTemporal: () => Promise<void>;
  const scrapes = { worker: '', controller: '' };

  beforeAll(async () => {
    buildCli();
    namespace = await freshNamespace('chart-metrics');
    await Promise.all([createInstance(namespace, 'opensearches', 'logs'), createInstance(namespace, 'valkeys', 'cache')]);
    const proxy = await temporalProxy(world().temporal.address);
    cutTemporal = proxy.cut;
    const dir = artifactsDir('chart-metrics');
    const taskQueue = `aivenator-chart-${namespace}`;
    controller = new AivenatorProcess({ mode: 'controller', name: 'controller', taskQueue, watchNamespace: namespace, dir, supervise: false, logLevel: 'info' });
    worker = new AivenatorProcess({
      mode: 'worker', name: 'worker', taskQueue, dir, supervise: false, logLevel: 'info',
      // The Temporal SDK's metrics on (the harness turns them off by default), drift checks often.
      env: { TEMPORAL_ADDRESS: proxy.address, AIVENATOR_TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`, AIVENATOR_DRIFT_INTERVAL: '2s' },
    });
    await Promise.all([controller.start(), worker.start()]);
    await Promise.all([controller.ready(), worker.ready()]);
  }, 120_000);

  afterAll(async () => {
    await fakeAiven().setKnobs({ operationFaults: { deleteServiceUser: null } });
    await Promise.all([worker?.stop(), controller?.stop()]);
  }, 60_000);

  it('every expression parses, and names its metrics', () => {
    expect(parsed.map((p, i) => ({ where: exprs[i].where, error: p.error }))).toEqual(exprs.map(({ where }) => ({ where, error: undefined })));
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    expect(used.size).toBeGreaterThan(15);
  });

  it('an application converges; then a drift is repaired, a finalizer activity fails, and Temporal is cut off', async () => {
    await createApp(namespace, 'shop', {
      kafka: { pool: world().aiven.mainProject, secretName: 'shop-kafka' },
      openSearch: { instance: 'logs', access: 'read', secretName: 'shop-opensearch' },
      valkey: [{ instance: 'cache', access: 'readwrite', secretName: 'shop-valkey' }],
    }, { app: 'shop', team: namespace });
    await eventually(async () => (isConverged(await getApp(namespace, 'shop')) ? true : undefined), 90_000, 'shop converged');

    // Drift: the Kafka user deleted in Aiven behind Aivenator's back; the next check repairs it.
    const project = world().aiven.mainProject;
    const prefix = kafkaServiceUserNameWithSuffix(namespace, 'shop', '');
    const mine = (await fakeAiven().listUsers(project, 'kafka')).filter((u) => u.username.startsWith(prefix));
    expect(mine.length).toBeGreaterThan(0);
    for (const u of mine) await fakeAiven().deleteUser(project, 'kafka', u.username);
    await eventually(async () => (/aivenator_drift_detected_total\{kind="UserMissing"\} [1-9]/.test(await worker.metrics()) ? true : undefined), 60_000, 'a drift repair');
    await eventually(async () => (isConverged(await getApp(namespace, 'shop')) ? true : undefined), 60_000, 'shop converged again');

    // A stuck finalizer: the application is gone, its Secret deleted, and Aiven refuses the user deletion once.
    await fakeAiven().setKnobs({ operationFaults: { deleteServiceUser: { status: 500, remaining: 1 } } });
    const kc = adminKubeConfig();
    await kc.makeApiClient(k8s.CustomObjectsApi).deleteNamespacedCustomObject({ group: 'aiven.nais.io', version: 'v1', plural: 'aivenapplications', namespace, name: 'shop' });
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespacedSecret({ namespace, name: 'shop-kafka' });
    await eventually(async () => (/temporal_activity_execution_failed\{[^}]*activity_type="deleteAivenServiceUser"/.test(await worker.metrics()) ? true : undefined), 60_000, 'a failed finalizer activity');

    scrapes.controller = await controller.metrics();
    // Temporal unreachable: the worker's polls fail.
    await cutTemporal();
    await eventually(async () => (/^temporal_long_request_failure\{/m.test(await worker.metrics()) ? true : undefined), 60_000, 'failed polls');
    scrapes.worker = await worker.metrics();
  }, 300_000);

  it('every metric an alert or a panel uses is exported', () => {
    expect(scrapes.worker).not.toBe('');
    const exported = new Set([...exportedFamilies(scrapes.worker), ...exportedFamilies(scrapes.controller)]);
    // The scrapes are what they should be: Aivenator's, the Temporal SDK's (with the outage) and Node's.
    expect([...exported]).toEqual(expect.arrayContaining(['aivenator_aiven_applications_processed', 'aivenator_aiven_application_processing_time_seconds', 'temporal_long_request', 'temporal_long_request_failure', 'temporal_activity_execution_failed', 'process_resident_memory_bytes']));
    const missing = [...used.entries()].filter(([name]) => !exported.has(name)).map(([name, where]) => `${name} (${[...new Set(where)].join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('the alerts\' label matchers select series that exist', () => {
    const text = `${scrapes.worker}\n${scrapes.controller}`;
    const all = alertMatchers;
    // RolloutFailed passes are the one selection the scenario does not cause; the ones it causes must be there.
    for (const must of MUST_MATCH) {
      const m = all.find((x) => x.metric === must.metric && x.label === must.label);
      expect({ must, found: m !== undefined && satisfied(text, m.metric, m) }).toEqual({ must, found: true });
    }
    const unmatched = all.filter((m) => !satisfied(text, m.metric, m)).map((m) => `${m.metric}{${m.label}${m.op}"${m.value}"}`);
    expect(unmatched.filter((u) => !/RolloutFailed/.test(u))).toEqual([]);
  });
});
