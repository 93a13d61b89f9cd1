// Downloading workflow histories: every run of one actor (following
// continue-as-new back from the latest run), or every workflow a visibility
// query finds; reading and writing them as JSON files.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, ExitCode } from './common';
import { historyFromJson, historyToJson } from './history-json';
import type { RunHistory } from './timeline';

export type History = temporal.api.history.v1.IHistory;

export interface WorkflowHistory {
  workflowId: string;
  runId?: string;
  history: History;
  /** Where it came from: a file path or "temporal". */
  source: string;
}

/** Every run of `workflowId`, oldest first (at most `maxRuns`, the newest ones). */
export async function actorRunHistories(client: Client, workflowId: string, maxRuns = 50): Promise<RunHistory[]> {
  let runId: string | undefined;
  try {
    runId = (await client.workflow.getHandle(workflowId).describe()).runId;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no workflow ${workflowId}: the controller has not started an actor for it (yet)`, ExitCode.Failure);
    throw err;
  }
  const runs: RunHistory[] = [];
  while (runId && runs.length < maxRuns) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift({ runId, history });
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

/** The workflows a visibility query finds, each with its history (every run the query matches). */
export async function* queryHistories(client: Client, query: string): AsyncGenerator<WorkflowHistory> {
  for await (const execution of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    yield { workflowId: execution.workflowId, runId: execution.runId, history, source: 'temporal' };
  }
}

/**
 * A history file: Temporal's JSON (`temporal workflow show --output json`, or
 * the Web UI's download: `{ "events": [...] }`), or what `aivenator replay
 * --save` writes (`{ workflowId, runId, history }`).
 */
export function readHistoryFile(file: string): WorkflowHistory {
  let parsed: { workflowId?: string; runId?: string; history?: unknown; events?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new CliError(`cannot read history ${file}: ${err instanceof Error ? err.message : String(err)}`, ExitCode.Config);
  }
  const raw = parsed.history ?? parsed;
  let history: History;
  try {
    history = historyFromJson(raw);
  } catch (err) {
    throw new CliError(`${file} is not a Temporal history: ${err instanceof Error ? err.message : String(err)}`, ExitCode.Config);
  }
  return { workflowId: parsed.workflowId ?? path.basename(file, '.json'), runId: parsed.runId, history, source: file };
}

export function historyFileName(h: Pick<WorkflowHistory, 'workflowId' | 'runId'>): string {
  return `${h.workflowId.replace(/[^A-Za-z0-9._-]+/g, '_')}${h.runId ? `-${h.runId.slice(0, 8)}` : ''}.json`;
}

export function writeHistoryFile(dir: string, h: WorkflowHistory): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, historyFileName(h));
  const body = { workflowId: h.workflowId, runId: h.runId, history: historyToJson(h.history) };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
