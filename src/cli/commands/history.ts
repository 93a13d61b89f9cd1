// `aivenator history <ns>/<app>`: the audit timeline of one application.
import { appWorkflowId } from '../../../workflows/ids';
import { ConnectionFlags, Io, appTarget, json, outputFormat, temporalClient, toolConfig } from '../common';
import { actorRunHistories } from '../histories';
import { buildTimeline, renderTimeline } from '../timeline';

export interface HistoryFlags extends ConnectionFlags {
  output?: string;
  runs?: string;
}

export async function historyCommand(target: string, flags: HistoryFlags, io: Io): Promise<number> {
  const format = outputFormat(flags.output);
  const { namespace, name } = appTarget(target, flags.namespace);
  const config = toolConfig(flags);
  const { client, connection } = await temporalClient(config);
  try {
    const workflowId = appWorkflowId(namespace, name);
    const runs = await actorRunHistories(client, workflowId, flags.runs ? Number(flags.runs) : undefined);
    const entries = buildTimeline(runs, namespace);
    if (format === 'json') {
      io.out(json({ workflowId, runs: runs.map((r) => r.runId), entries }));
    } else {
      io.out(`History of ${namespace}/${name} (workflow ${workflowId}, ${runs.length} run(s)):`);
      io.out(renderTimeline(entries));
    }
  } finally {
    await connection.close();
  }
  return 0;
}
