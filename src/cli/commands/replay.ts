// `aivenator replay`: replays recorded histories against the current workflow
// code. A change that would break running actors (a new activity order, a
// renamed activity, a removed timer) shows up here as a determinism error and
// a non-zero exit, before it is deployed.
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import * as fs from 'node:fs';
import { appWorkflowId } from '../../../workflows/ids';
import { CliError, ConnectionFlags, ExitCode, Io, appTarget, errorMessage, json, outputFormat, temporalClient, toolConfig } from '../common';
import { WorkflowHistory, actorRunHistories, queryHistories, readHistoryFile, writeHistoryFile } from '../histories';
import { progress } from '../progress';

export interface ReplayFlags extends ConnectionFlags {
  query?: string;
  failed?: boolean;
  file?: string[];
  save?: string;
  bundle?: string;
  output?: string;
}

export const FAILED_QUERY = 'WorkflowType="aivenApplicationWorkflow" AND AivenSyncState="RolloutFailed"';

export interface ReplayOutcome {
  workflowId: string;
  runId?: string;
  source: string;
  ok: boolean;
  error?: { name: string; message: string };
}

/** The workflow code the worker would run now: a bundle file, or the sources bundled on the spot. */
export function replayWorkflowCode(bundle?: string): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  if (bundle) {
    if (!fs.existsSync(bundle)) throw new CliError(`workflow bundle ${bundle} does not exist`, ExitCode.Config);
    return { workflowBundle: { codePath: bundle } };
  }
  return { workflowsPath: require.resolve('../../../workflows') };
}

export async function replayCommand(target: string | undefined, flags: ReplayFlags, io: Io): Promise<number> {
  const format = outputFormat(flags.output);
  const sources = [target, flags.query, flags.failed, flags.file?.length].filter(Boolean).length;
  if (sources !== 1) throw new CliError('replay needs exactly one of: <namespace>/<app>, --query, --failed, --file', ExitCode.Config);

  const histories: WorkflowHistory[] = [];
  if (flags.file?.length) {
    for (const file of flags.file) histories.push(readHistoryFile(file));
  } else {
    const { client, connection } = await temporalClient(toolConfig(flags));
    const download = progress(io, 'downloading histories');
    try {
      if (target) {
        const { namespace, name } = appTarget(target, flags.namespace);
        const workflowId = appWorkflowId(namespace, name);
        for (const run of await actorRunHistories(client, workflowId)) {
          histories.push({ workflowId, runId: run.runId, history: run.history, source: 'temporal' });
          download.update(histories.length, undefined, workflowId);
        }
      } else {
        for await (const h of queryHistories(client, flags.failed ? FAILED_QUERY : flags.query!)) {
          histories.push(h);
          download.update(histories.length, undefined, h.workflowId);
        }
      }
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`downloading histories failed: ${errorMessage(err)}`, ExitCode.Runtime);
    } finally {
      download.done();
      await connection.close();
    }
  }
  if (flags.save) {
    for (const h of histories) writeHistoryFile(flags.save, h);
    io.err(`saved ${histories.length} histories to ${flags.save}`);
  }
  if (histories.length === 0) {
    if (format === 'json') io.out(json({ replayed: 0, failed: 0, results: [] }));
    else io.out('No histories to replay.');
    return 0;
  }

  quietRuntime();
  const bar = progress(io, 'replaying');
  io.err(`replaying ${histories.length} histories against the current workflow code ...`);
  const outcomes: ReplayOutcome[] = [];
  const input: HistoryAndWorkflowId[] = histories.map((h) => ({ workflowId: h.workflowId, history: h.history }));
  const results = Worker.runReplayHistories({ ...replayWorkflowCode(flags.bundle), replayName: 'aivenator-replay' }, input);
  for await (const result of results) {
    const h = histories[outcomes.length];
    const error = result.error ? { name: result.error.name, message: result.error.message } : undefined;
    outcomes.push({ workflowId: result.workflowId, runId: h?.runId ?? result.runId, source: h?.source ?? 'temporal', ok: !error, ...(error ? { error } : {}) });
    bar.update(outcomes.length, histories.length, result.workflowId);
  }
  bar.done();
  const failed = outcomes.filter((o) => !o.ok);
  if (format === 'json') {
    io.out(json({ replayed: outcomes.length, failed: failed.length, results: outcomes }));
  } else {
    for (const o of outcomes) {
      const where = `${o.workflowId}${o.runId ? ` run ${o.runId.slice(0, 8)}` : ''}${o.source !== 'temporal' ? ` (${o.source})` : ''}`;
      io.out(o.ok ? `ok      ${where}` : `FAILED  ${where}: ${o.error!.name}: ${o.error!.message}`);
    }
    io.out(`${outcomes.length} replayed, ${failed.length} failed`);
  }
  return failed.length > 0 ? ExitCode.Failure : ExitCode.Ok;
}

/** The replay worker's own logs would drown the results: only errors, and no signal handlers. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [], telemetryOptions: { logging: { forward: {}, filter: { core: 'ERROR', other: 'ERROR' } } } });
  } catch {
    // Installed already (tests, or a caller that set it up).
  }
}
