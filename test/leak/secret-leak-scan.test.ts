// After every other test of the run (test/env/sequencer.js puts test/leak
// last): every password, private key and certificate the fake Aiven ever
// issued is searched for in every workflow history of the Temporal namespace,
// the logs of the worker and controller processes (test/chaos), every
// Kubernetes Event, every AivenApplication with its status, and what tests
// with their own servers exported before stopping them. Zero hits.
import * as k8s from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AIVENAPP } from '../../src/kube/aivenapp-types';
import type { IssuedSecret } from '../../src/fake-aiven/types';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../env/aivenator';
import { historyText } from '../env/history';
import { LeakHit, LeakScanner } from '../env/leak-scan';
import { adminKubeConfig, freshNamespace, world } from '../env/world';

jest.setTimeout(600_000);

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('secret-leak scan over everything the run produced', () => {
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    connection = await Connection.connect({ address: world().temporal.address });
    client = new Client({ connection, namespace: world().temporal.namespace });
    if ((await fakeAiven().listIssuedSecrets()).length === 0) {
      // Run on its own: make something to scan.
      const namespace = await freshNamespace('leak');
      let aivenator: AivenatorUnderTest | undefined;
      try {
        aivenator = await startAivenator({ namespace });
        const custom = adminKubeConfig().makeApiClient(k8s.CustomObjectsApi);
        await custom.createNamespacedCustomObject({ ...AIVENAPP, namespace, body: { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name: 'leaky', namespace }, spec: { kafka: { pool: world().aiven.mainProject, secretName: 'leaky-kafka' } } } });
        await eventually(async () => (((await custom.getNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'leaky' })) as { status?: { synchronizationState?: string } }).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 60_000, 'leaky converged');
      } finally {
        await aivenator?.stop();
      }
    }
  });
  afterAll(() => connection?.close());

  it('finds none of the issued passwords, private keys and certificates anywhere', async () => {
    const started = Date.now();
    // The shared fake's, and those of the fakes tests ran on their own (test/chaos: written before they stopped).
    const ownFakes = filesUnder(path.join(world().dir, 'issued-secrets')).flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as IssuedSecret[]);
    const issued = [...(await fakeAiven().listIssuedSecrets()), ...ownFakes];
    const scanner = new LeakScanner(issued);
    const hits: LeakHit[] = [];
    const counts: Record<string, number> = {};
    const scan = (kind: string, source: string, text: string) => {
      counts[kind] = (counts[kind] ?? 0) + 1;
      hits.push(...scanner.scan(source, text));
    };

    // Every workflow (every run, open or closed) in the namespace.
    const executions: { workflowId: string; runId: string }[] = [];
    for await (const wf of client.workflow.list()) executions.push({ workflowId: wf.workflowId, runId: wf.runId });
    let events = 0;
    const usernamesSeen = new Set<string>();
    const usernames = new Set(issued.map((s) => s.username));
    await mapLimit(executions, 8, async ({ workflowId, runId }) => {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      events += history.events?.length ?? 0;
      const text = historyText(history);
      for (const u of usernames) if (!usernamesSeen.has(u) && text.includes(u)) usernamesSeen.add(u);
      scan('history', `history ${workflowId} ${runId}`, text);
    });

    // Worker and controller logs of the process-based tests, and what tests with their own servers exported.
    const artifacts = path.join(world().dir, 'artifacts');
    for (const file of filesUnder(artifacts).filter((f) => f.endsWith('.log') || f.endsWith('.json') || f.endsWith('.txt'))) {
      scan(file.endsWith('.log') ? 'log file' : 'exported file', path.relative(artifacts, file), fs.readFileSync(file, 'utf8'));
    }

    // Every Event and every AivenApplication (status included) of the shared apiserver.
    const kc = adminKubeConfig();
    const kubeEvents = (await kc.makeApiClient(k8s.EventsV1Api).listEventForAllNamespaces()).items;
    for (const e of kubeEvents) scan('event', `event ${e.metadata?.namespace}/${e.metadata?.name}`, JSON.stringify(e));
    const apps = ((await kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ ...AIVENAPP })) as { items: { metadata: { namespace: string; name: string } }[] }).items;
    for (const a of apps) scan('application', `AivenApplication ${a.metadata.namespace}/${a.metadata.name}`, JSON.stringify(a));

    const byKind = issued.reduce<Record<string, number>>((m, s) => ({ ...m, [s.kind]: (m[s.kind] ?? 0) + 1 }), {});
    process.stdout.write(
      `leak scan: ${scanner.secretCount} distinct credentials (${JSON.stringify(byKind)} issued, ${ownFakes.length} by the tests' own fakes), ${scanner.needleCount} search strings; ` +
        `${executions.length} workflow runs (${events} history events), ${JSON.stringify(counts)}; ` +
        `${(scanner.bytesScanned / 1e6).toFixed(1)} MB in ${Date.now() - started} ms; ${hits.length} hits\n`,
    );
    // The scan saw what it should: the histories name the users whose credentials it looks for.
    expect(scanner.secretCount).toBeGreaterThan(0);
    expect(executions.length).toBeGreaterThan(0);
    expect(usernamesSeen.size).toBeGreaterThan(0);
    const report = hits.map((h) => `${h.kind} of ${h.username} (${h.form}) in ${h.source}: ${h.context}`);
    expect(report.length > 40 ? [...report.slice(0, 40), `... and ${report.length - 40} more`] : report).toEqual([]);
  });
});
