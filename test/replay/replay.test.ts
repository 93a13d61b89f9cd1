// Replays the recorded histories (test/replay/histories, see README.md there)
// against the current workflow code, as the worker would run it (the bundle
// the global setup made). A change that would break running workflows (an
// activity renamed, reordered or added without patched(), a timer removed)
// fails here, in every `npm test`, before it reaches a cluster.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from '@temporalio/worker';
import { readHistoryFile, WorkflowHistory } from '../../src/cli/histories';
import { historyToJson } from '../../src/cli/history-json';
import { world } from '../env/world';

jest.setTimeout(180_000);

const DIR = path.join(__dirname, 'histories');
/** Every scenario scripts/refresh-replay-histories.sh records; a missing file fails the test. */
const SCENARIOS = [
  'converge', 'spec-change', 'release-replaced-user', 'failure-then-success', 'instance-not-running',
  'permanent-failure-compensated', 'finalizer-retries', 'expiry', 'deleted', 'continue-as-new', 'janitor-sweep',
];

/**
 * The current recordings, plus those of earlier workflow versions kept in
 * subdirectories (e.g. before-local-kube-steps/): runs like them may still be in
 * flight, so they must replay until their patch is deprecated.
 */
function historyFiles(): string[] {
  const top = fs.readdirSync(DIR, { withFileTypes: true });
  const files = top.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => path.join(DIR, e.name));
  for (const sub of top.filter((e) => e.isDirectory())) {
    files.push(...fs.readdirSync(path.join(DIR, sub.name)).filter((f) => f.endsWith('.json')).map((f) => path.join(DIR, sub.name, f)));
  }
  return files.sort();
}

function load(): WorkflowHistory[] {
  return historyFiles().map(readHistoryFile);
}

function scenariosIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { scenario: string }).scenario);
}

async function replay(histories: WorkflowHistory[]): Promise<{ source: string; error?: string }[]> {
  const results: { source: string; error?: string }[] = [];
  const input = histories.map((h) => ({ workflowId: h.workflowId, history: h.history }));
  for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: world().workflowBundlePath }, replayName: 'replay-suite' }, input)) {
    results.push({ source: path.basename(histories[results.length].source), error: r.error ? `${r.error.name}: ${r.error.message}` : undefined });
  }
  return results;
}

describe('replay of recorded histories against the current workflow code', () => {
  const histories = load();

  it('has every scenario, without a credential in it', () => {
    expect([...new Set(scenariosIn(DIR))].sort()).toEqual([...SCENARIOS].sort());
    for (const f of historyFiles()) expect({ f, leak: /PRIVATE KEY|BEGIN CERTIFICATE|AVNS_/.test(fs.readFileSync(f, 'utf8')) }).toEqual({ f, leak: false });
  });

  it('keeps the runs recorded before the Kubernetes steps became local activities', () => {
    const before = path.join(DIR, 'before-local-kube-steps');
    expect([...new Set(scenariosIn(before))].sort()).toEqual([...SCENARIOS].sort());
    const converge = (dir: string) => JSON.stringify(readHistoryFile(path.join(dir, 'converge.json')).history);
    expect(converge(before)).not.toContain('core_local_activity');
    expect(converge(DIR)).toContain('core_local_activity');
  });

  it('replays every history without a determinism error', async () => {
    const results = await replay(histories);
    expect(results).toHaveLength(histories.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  it('would catch a change: the same history with an activity renamed fails', async () => {
    const original = histories.find((h) => h.source.endsWith('converge.json'))!;
    const changed = JSON.parse(JSON.stringify(historyToJson(original.history))) as { events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[] };
    const scheduled = changed.events.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
    scheduled.activityType.name = `${scheduled.activityType.name}V0`;
    const file = path.join(world().dir, 'changed-history.json');
    fs.writeFileSync(file, JSON.stringify({ workflowId: original.workflowId, history: changed }));
    const [result] = await replay([readHistoryFile(file)]);
    expect(result.error).toMatch(/DeterminismViolationError: .*V0/);
  });
});
