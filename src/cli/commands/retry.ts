// `aivenator retry <ns>/<app> | --failed`: run a pass now instead of waiting
// for the retry timer or the next change. The actor gets the `changed` signal
// with reason ManualRetry (signal-with-start, so an actor that ended is started
// again as the controller would).
import { AppSignaler } from '../../controller/signaler';
import { CliError, ConnectionFlags, DEFAULT_TEMPORAL_ADDRESS, ExitCode, Io, appTarget, json, outputFormat, temporalClient, toolConfig } from '../common';
import { describeTemporalError } from '../../runtime/temporal';
import { parseAppWorkflowId } from '../../../workflows/ids';
import { FAILED_QUERY } from './replay';

export interface RetryFlags extends ConnectionFlags {
  failed?: boolean;
  output?: string;
}

export const RETRY_REASON = 'ManualRetry';

export async function retryCommand(target: string | undefined, flags: RetryFlags, io: Io): Promise<number> {
  const format = outputFormat(flags.output);
  if (Boolean(target) === Boolean(flags.failed)) throw new CliError('retry needs either <namespace>/<app> or --failed', ExitCode.Config);
  const config = toolConfig(flags);
  const { client, connection } = await temporalClient(config);
  const signaler = new AppSignaler(client, config.temporal.taskQueue);
  const apps: { namespace: string; name: string }[] = [];
  const signalled: string[] = [];
  const failures: { app: string; error: string }[] = [];
  try {
    if (target) {
      apps.push(appTarget(target, flags.namespace));
    } else {
      for await (const execution of client.workflow.list({ query: `${FAILED_QUERY} AND ExecutionStatus="Running"` })) {
        const ref = parseAppWorkflowId(execution.workflowId);
        if (ref) apps.push(ref);
      }
    }
    for (const app of apps) {
      const key = `${app.namespace}/${app.name}`;
      try {
        await signaler.changed(app.namespace, app.name, RETRY_REASON);
        signalled.push(key);
      } catch (err) {
        failures.push({ app: key, error: describeTemporalError(err, { address: config.temporal.address ?? DEFAULT_TEMPORAL_ADDRESS, namespace: config.temporal.namespace }) });
      }
    }
  } finally {
    await connection.close();
  }
  if (format === 'json') {
    io.out(json({ signalled, failures }));
  } else {
    for (const key of signalled) io.out(`retry requested: ${key}`);
    for (const f of failures) io.out(`retry FAILED:    ${f.app}: ${f.error}`);
    if (signalled.length === 0 && failures.length === 0) io.out('No failed applications.');
  }
  return failures.length > 0 ? ExitCode.Runtime : ExitCode.Ok;
}
