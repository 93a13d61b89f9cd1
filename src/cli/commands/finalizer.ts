// `aivenator finalizer show|skip -n <ns> <secret>`: a deleted Secret's cleanup
// workflow (secret-finalizer/<ns>/<name>/<uid>): what it waits for, and the
// operator's way out when Aiven cannot be fixed (release the Secret, orphan
// its users on purpose). The uid comes from the terminating Secret, or --uid.
import { WorkflowNotFoundError } from '@temporalio/client';
import * as os from 'node:os';
import { finalizerStateQuery, secretFinalizerWorkflowId, skipCleanupSignal } from '../../../workflows/secret-finalizer';
import { makeKubeClients } from '../../kube/clients';
import { CliError, ConnectionFlags, ExitCode, Io, appTarget, errorMessage, json, kubeConfig, outputFormat, temporalClient, toolConfig } from '../common';
import { describeTemporalError } from '../../runtime/temporal';

export interface FinalizerFlags extends ConnectionFlags {
  uid?: string;
  by?: string;
  reason?: string;
  output?: string;
}

async function secretUid(namespace: string, name: string, flags: FinalizerFlags): Promise<string> {
  if (flags.uid) return flags.uid;
  const kube = makeKubeClients(kubeConfig(flags));
  try {
    const secret = await kube.core.readNamespacedSecret({ namespace, name });
    const uid = secret.metadata?.uid;
    if (!uid) throw new Error('the Secret has no uid');
    return uid;
  } catch (err) {
    throw new CliError(`cannot read Secret ${namespace}/${name} for its uid (${errorMessage(err)}); pass --uid`, ExitCode.Runtime);
  }
}

export async function finalizerCommand(action: 'show' | 'skip', target: string, flags: FinalizerFlags, io: Io): Promise<number> {
  const format = outputFormat(flags.output);
  const { namespace, name } = appTarget(target, flags.namespace);
  if (action === 'skip' && !flags.reason) throw new CliError('finalizer skip needs --reason "<why>" (recorded in the CleanupSkipped event)', ExitCode.Config);
  const uid = await secretUid(namespace, name, flags);
  const config = toolConfig(flags);
  const { client, connection, address } = await temporalClient(config);
  const workflowId = secretFinalizerWorkflowId(namespace, name, uid);
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (action === 'skip') {
      const by = flags.by ?? os.userInfo().username;
      await handle.signal(skipCleanupSignal, { by, reason: flags.reason! });
      if (format === 'json') io.out(json({ workflowId, signalled: 'skipCleanup', by }));
      else io.out(`skipCleanup sent to ${workflowId} (by ${by}); its users stay in Aiven, see the CleanupSkipped event`);
      return ExitCode.Ok;
    }
    const state = await connection.withDeadline(Date.now() + 10_000, () => handle.query(finalizerStateQuery));
    if (format === 'json') io.out(json({ workflowId, state }));
    else {
      io.out(`${workflowId}: ${state.phase}${state.pendingStep ? `, step ${state.pendingStep}` : ''}${state.failures ? `, ${state.failures} failed round(s)` : ''}`);
      if (state.lastError) io.out(`  last error: ${state.lastError}`);
      if (state.nextAttemptAt) io.out(`  next attempt: ${state.nextAttemptAt}`);
      for (const p of state.problems) io.out(`  problem: ${p}`);
      for (const u of state.users) io.out(`  user ${u.username} (${u.project}/${u.service}): ${u.status}${u.keptFor ? ` for ${u.keptFor}` : ''}`);
    }
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no finalizer workflow ${workflowId} (is the Secret terminating? right uid?)`, ExitCode.Failure);
    throw new CliError(`${workflowId}: ${describeTemporalError(err, { address, namespace: config.temporal.namespace })}`, ExitCode.Runtime);
  } finally {
    await connection.close();
  }
}
