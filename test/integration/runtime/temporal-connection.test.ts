// The Temporal connection as an operator meets it, against the real Temporal
// dev server and the compiled CLI: a namespace without Aivenator's search
// attributes (the fix is printed; the controller is unready until it can
// signal), a wrong address (named, with the cause), and a client certificate
// without its key (a start-up error, never a plaintext connection).
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../../src/devworld/process';
import { SEARCH_ATTRIBUTES } from '../../../src/temporal/search-attributes';
import { eventually } from '../../env/aivenator';
import { AivenatorProcess, CLI_MAIN, ROOT, buildCli, cleanEnv, worldTargets } from '../../env/processes';
import { freshNamespace, world } from '../../env/world';
import { createApp } from '../reconcile/fixtures';

jest.setTimeout(240_000);

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: { ...cleanEnv(), ...env }, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('Temporal connection', () => {
  let connection: Connection;
  beforeAll(async () => {
    buildCli();
    connection = await Connection.connect({ address: world().temporal.address });
  });
  afterAll(() => connection?.close());

  describe('a namespace without the search attributes', () => {
    const bare = `bare-${Date.now().toString(36)}`;
    let k8sNamespace: string;
    let controller: AivenatorProcess;
    let metricsUrl: string;

    beforeAll(async () => {
      await connection.workflowService.registerNamespace({ namespace: bare, workflowExecutionRetentionPeriod: msToTs('1 day') });
      // A new namespace takes a moment to be known to every frontend cache.
      await eventually(async () => ((await connection.workflowService.describeNamespace({ namespace: bare })).namespaceInfo ? true : undefined), 30_000, 'the namespace');
      k8sNamespace = await freshNamespace('bare');
      const port = await freePort();
      metricsUrl = `http://127.0.0.1:${port}`;
      const targets = worldTargets();
      controller = new AivenatorProcess({
        mode: 'controller',
        name: `controller-${bare}`,
        taskQueue: `q-${bare}`,
        watchNamespace: k8sNamespace,
        supervise: false,
        targets: { ...targets, temporal: { address: targets.temporal.address, namespace: bare } },
        env: { AIVENATOR_METRICS_ADDRESS: `127.0.0.1:${port}` },
      });
      await controller.start();
      await createApp(k8sNamespace, 'shop', { kafka: { pool: world().aiven.projects[0], secretName: 'shop-kafka' } });
    });
    afterAll(() => controller?.stop());

    const readyz = async () => {
      const res = await fetch(`${metricsUrl}/readyz`);
      return { status: res.status, body: (await res.json()) as { checks: Record<string, boolean>; detail?: Record<string, string> } };
    };

    it('the controller says so at start and stays unready, with the command that fixes it', async () => {
      const command = `temporal operator search-attribute create --address ${world().temporal.address} --namespace ${bare} --name AivenAppNamespace --type Keyword`;
      await eventually(async () => (controller.tail(200).includes(command) ? true : undefined), 60_000, 'the start-up message');
      // Not a start-up check only: the signals for the application fail, are retried, and readiness reports why.
      const report = await eventually(async () => {
        const r = await readyz().catch(() => undefined);
        return r && r.body.detail?.controller?.includes('no mapping defined for search attribute') ? r : undefined;
      }, 60_000, 'a failed signal in /readyz');
      expect(report.status).toBe(503);
      expect(report.body.checks.controller).toBe(false);
      expect(report.body.detail!.controller).toContain(command);
      expect(controller.exits).toEqual([]);
    });

    it('`aivenator retry` prints the cause and the command, not only "Failed to signalWithStart Workflow"', async () => {
      const run = await cli(['retry', '-n', k8sNamespace, 'shop'], { TEMPORAL_ADDRESS: world().temporal.address, TEMPORAL_NAMESPACE: bare });
      expect(run.code).toBe(3);
      expect(run.stdout).toContain('no mapping defined for search attribute');
      expect(run.stdout).toContain(`temporal operator search-attribute create --address ${world().temporal.address} --namespace ${bare}`);
      // Same with the namespace as a flag.
      const flagged = await cli(['retry', `${k8sNamespace}/shop`, '--temporal-namespace', bare, '-o', 'json'], { TEMPORAL_ADDRESS: world().temporal.address });
      expect(flagged.code).toBe(3);
      expect((JSON.parse(flagged.stdout) as { failures: { error: string }[] }).failures[0].error).toContain('search-attribute create');
    });

    it('turns ready once the search attributes exist and a signal goes through', async () => {
      await connection.operatorService.addSearchAttributes({
        namespace: bare,
        searchAttributes: Object.fromEntries(Object.keys(SEARCH_ATTRIBUTES).map((name) => [name, 2 /* KEYWORD */])),
      });
      await eventually(async () => ((await readyz().catch(() => undefined))?.status === 200 ? true : undefined), 120_000, 'the controller to be ready');
      expect(controller.exits).toEqual([]);
    });
  });

  it('a wrong address: the tools and the worker name it and the cause', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const status = await cli(['retry', 'orders/checkout'], { TEMPORAL_ADDRESS: address });
    expect(status.code).toBe(3);
    expect(status.stderr).toContain(`cannot connect to Temporal at ${address} (plaintext, namespace default)`);
    expect(status.stderr).toMatch(/refused|unavailable|connect/i);

    const kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-kc-')), 'kubeconfig');
    fs.writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: '${world().kube.server}', insecure-skip-tls-verify: true}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: '${world().kube.adminToken}'}}]\n`);
    const worker = await cli(['worker', `--temporal-address=${address}`, '--metrics-address', '127.0.0.1:0'], {
      KUBECONFIG: kubeconfig,
      AIVENATOR_AIVEN_TOKEN: world().aiven.token,
      AIVENATOR_AIVEN_URL: world().aiven.url,
      AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true',
      AIVENATOR_PROJECTS: world().aiven.projects.join(' '),
      AIVENATOR_MAIN_PROJECT: world().aiven.mainProject,
      AIVENATOR_TEMPORAL_METRICS_ADDRESS: 'off',
      AIVENATOR_WORKFLOW_BUNDLE: world().workflowBundlePath,
    });
    expect(worker.code).toBe(3);
    expect(worker.stderr).toContain(`aivenator: the worker could not start: cannot connect to Temporal at ${address}`);
  });

  it('a client certificate without its key is a start-up error (exit 2), from the environment or a profile', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-tls-'));
    const cert = path.join(dir, 'client.pem');
    fs.writeFileSync(cert, 'not used');
    const env = { AIVENATOR_AIVEN_TOKEN: 't', TEMPORAL_ADDRESS: world().temporal.address, TEMPORAL_TLS_CLIENT_CERT_PATH: cert };
    for (const verb of ['worker', 'controller', 'status']) {
      const run = await cli([verb], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Temporal TLS: a client certificate is configured without its key');
    }
    const toml = path.join(dir, 'temporal.toml');
    fs.writeFileSync(toml, `[profile.prod]\naddress = "${world().temporal.address}"\n[profile.prod.tls]\nclient_key_path = "${cert}"\n`);
    const profiled = await cli(['controller', '--temporal-profile', 'prod', '--temporal-config-file', toml], {});
    expect(profiled.code).toBe(2);
    expect(profiled.stderr).toContain('Temporal TLS: a client key is configured without its certificate');
  });
});
