// An Aiven outage at start does not stop the worker (it used to exit 4 and
// crash-loop): the compiled CLI starts with Aiven unreachable, says so in
// /readyz and aivenator_aiven_up, keeps running the workflows, and once Aiven
// answers the application converges through Temporal's ordinary retries.
import { Client, Connection } from '@temporalio/client';
import * as net from 'node:net';
import { AppSignaler } from '../../../src/controller/signaler';
import { stateQuery } from '../../../workflows/application';
import { appWorkflowId } from '../../../workflows/ids';
import { freePort } from '../../../src/devworld/process';
import { eventually } from '../../env/aivenator';
import { AivenatorProcess, buildCli } from '../../env/processes';
import { freshNamespace, world } from '../../env/world';
import { createApp, getApp } from '../reconcile/fixtures';

jest.setTimeout(240_000);

interface Readiness {
  ready: boolean;
  checks: Record<string, boolean>;
  detail?: Record<string, string>;
}

/** A TCP forwarder from `port` to the fake Aiven: "Aiven comes back" is starting it. */
function forward(port: number, target: URL): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('Aiven outage at start', () => {
  let namespace: string;
  let proc: AivenatorProcess;
  let metricsUrl: string;
  let aivenPort: number;
  let proxy: net.Server | undefined;

  beforeAll(async () => {
    buildCli();
    namespace = await freshNamespace('outage');
    aivenPort = await freePort();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
    proc = new AivenatorProcess({
      // The worker alone: its readiness is what an outage must not take away. The test signals as the controller would.
      mode: 'worker',
      name: `outage-${namespace}`,
      taskQueue: `outage-${namespace}`,
      supervise: false,
      env: {
        // Nothing listens here until the test starts the forwarder.
        AIVENATOR_AIVEN_URL: `http://127.0.0.1:${aivenPort}`,
        AIVENATOR_AIVEN_RECHECK_MS: '500',
        AIVENATOR_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      },
    });
    await proc.start();
  });

  afterAll(async () => {
    await proc?.stop();
    await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
  });

  const readiness = async () => (await (await fetch(`${metricsUrl}/readyz`)).json()) as Readiness;
  const aivenUp = async () => /^aivenator_aiven_up (\d)/m.exec(await (await fetch(`${metricsUrl}/metrics`)).text())?.[1];

  it('starts anyway, ready, with Aiven reported down in /readyz and aivenator_aiven_up 0', async () => {
    // (proc.ready() polls the port it chose; this process serves on the test's own.)
    const report = await eventually(async () => {
      const r = await readiness().catch(() => undefined);
      return r?.ready ? r : undefined;
    }, 90_000, '/readyz 200');
    expect(report.checks).toEqual({ worker: true, aiven: false });
    expect(report.detail?.aiven).toMatch(new RegExp(`GET http://127.0.0.1:${aivenPort}/v1/project`));
    expect(await aivenUp()).toBe('0');
    expect(proc.exits).toEqual([]);
    expect(proc.tail(200)).toContain('cannot verify the Aiven token: Aiven is unreachable. Starting anyway');
  });

  it('keeps working: the application\'s actor runs while Aiven is down, and converges once Aiven answers', async () => {
    await createApp(namespace, 'shop', { kafka: { pool: world().aiven.projects[0], secretName: 'shop-kafka' } });
    // The worker runs the actor: it answers its state query while its pass waits on Aiven.
    const connection = await Connection.connect({ address: world().temporal.address });
    try {
      const client = new Client({ connection, namespace: world().temporal.namespace });
      await new AppSignaler(client, `outage-${namespace}`).changed(namespace, 'shop', 'Created');
      const handle = client.workflow.getHandle(appWorkflowId(namespace, 'shop'));
      // Past the Kubernetes read, on a step that needs Aiven (or already recorded a failed pass).
      const state = await eventually(async () => {
        if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
        const st = await handle.query(stateQuery);
        return (st.pendingStep && st.pendingStep !== 'read application') || st.lastResult ? st : undefined;
      }, 90_000, 'the actor to reach its Aiven step');
      expect(state.lastResult?.outcome ?? 'none').not.toBe('synced');
    } finally {
      await connection.close();
    }
    expect((await getApp(namespace, 'shop')).status?.synchronizationState).not.toBe('RolloutComplete');

    proxy = await forward(aivenPort, new URL(world().aiven.url));
    await eventually(async () => ((await aivenUp()) === '1' ? true : undefined), 60_000, 'aivenator_aiven_up 1');
    const report = await readiness();
    expect(report.checks.aiven).toBe(true);
    await eventually(async () => ((await getApp(namespace, 'shop')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 150_000, 'RolloutComplete after the outage');
    expect(proc.exits).toEqual([]);
  });
});
