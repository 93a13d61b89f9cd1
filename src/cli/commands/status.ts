// `aivenator status [ns[/app]]`: every AivenApplication with its status and
// what its actor says (the `state` query): state, generation, Secrets, last
// sync, last error.
import * as k8s from '@kubernetes/client-node';
import type { Client, Connection } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { SECRET_TYPE } from '../../handlers/secret-meta';
import type { AivenApplication } from '../../kube/aivenapp-types';
import { getAivenApp, listAivenApps } from '../../kube/aivenapps';
import { makeKubeClients } from '../../kube/clients';
import { failureSummary } from '../../kube/status';
import { secretEntries } from '../../plan';
import type { ActorState } from '../../../workflows/application';
import { stateQuery } from '../../../workflows/application';
import { appWorkflowId } from '../../../workflows/ids';
import { CliError, ConnectionFlags, ExitCode, Io, age, errorMessage, json, kubeConfig, outputFormat, appTarget, temporalClient, toolConfig } from '../common';
import { renderTable } from '../table';

export interface AppStatusRow {
  namespace: string;
  name: string;
  state: string;
  generation: number;
  syncedGeneration?: number;
  observedGeneration?: number;
  secrets: { wanted: string[]; present: string[]; missing: string[] };
  lastSync?: string;
  lastError?: string;
  actor: {
    status: string;
    passes?: number;
    pendingStep?: string;
    nextPassAt?: string;
    lastResult?: ActorState['lastResult'];
    error?: string;
  };
}

export interface StatusFlags extends ConnectionFlags {
  output?: string;
}

export async function statusCommand(target: string | undefined, flags: StatusFlags, io: Io): Promise<number> {
  const format = outputFormat(flags.output);
  const config = toolConfig(flags);
  const kube = makeKubeClients(kubeConfig(flags));
  const { namespace, name } = target?.includes('/') || (target && flags.namespace)
    ? appTarget(target, flags.namespace)
    : { namespace: target ?? flags.namespace, name: undefined };

  let apps: AivenApplication[];
  try {
    if (name) {
      const app = await getAivenApp(kube, namespace!, name);
      if (!app) throw new CliError(`AivenApplication ${namespace}/${name} not found`, ExitCode.Failure);
      apps = [app];
    } else {
      apps = await listAivenApps(kube, namespace);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot list AivenApplications: ${errorMessage(err)}`, ExitCode.Runtime);
  }
  apps.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));

  const secrets = await managedSecretNames(kube.core, namespace);
  const { client, connection } = await temporalClient(config);
  let rows: AppStatusRow[];
  try {
    rows = await mapLimit(apps, 8, async (app) => row(app, secrets, await actorState(client, connection, app)));
  } finally {
    await connection.close();
  }

  if (format === 'json') {
    io.out(json(rows));
  } else if (rows.length === 0) {
    io.out(`No AivenApplications${namespace ? ` in namespace ${namespace}` : ''}.`);
  } else {
    io.out(renderStatusTable(rows));
  }
  return 0;
}

export function renderStatusTable(rows: AppStatusRow[], now = Date.now()): string {
  return renderTable(rows, [
    { header: 'App', value: (r) => `${r.namespace}/${r.name}` },
    { header: 'State', value: (r) => r.state },
    { header: 'Generation', value: (r) => (r.syncedGeneration !== undefined && r.syncedGeneration !== r.generation ? `${r.generation} (synced ${r.syncedGeneration})` : String(r.generation)) },
    { header: 'Secrets', value: (r) => `${r.secrets.present.length}/${r.secrets.wanted.length}` },
    { header: 'Last sync', value: (r) => (r.lastSync ? `${age(r.lastSync, now)} ago` : '-') },
    { header: 'Actor', value: (r) => actorText(r, now), max: 40 },
    { header: 'Last error', value: (r) => r.lastError ?? '', max: 80 },
  ]);
}

function actorText(r: AppStatusRow, now: number): string {
  if (r.actor.status !== 'RUNNING') return r.actor.status.toLowerCase().replace(/_/g, ' ');
  if (r.actor.pendingStep) return r.actor.pendingStep;
  if (r.actor.nextPassAt) {
    const ms = Date.parse(r.actor.nextPassAt) - now;
    return ms > 0 ? `next pass in ${Math.ceil(ms / 1000)}s` : 'pass due';
  }
  return r.actor.error ? 'running (no answer)' : 'idle';
}

function row(app: AivenApplication, present: Map<string, Set<string>>, actor: AppStatusRow['actor']): AppStatusRow {
  const { namespace, name, generation = 0 } = app.metadata;
  const status = app.status ?? {};
  const wanted = secretEntries(app.spec ?? {}).map((e) => e.secretName).filter(Boolean);
  const have = present.get(namespace) ?? new Set<string>();
  const failure = (status.conditions ?? []).find((c) => (c.type === 'AivenFailure' || c.type === 'LocalFailure') && c.status === 'True');
  const actorFailure = actor.lastResult?.outcome === 'failed' ? `${actor.lastResult.reason}: ${actor.lastResult.message}` : undefined;
  return {
    namespace,
    name,
    state: status.synchronizationState ?? 'Pending',
    generation,
    syncedGeneration: status.synchronizedGeneration,
    observedGeneration: status.observedGeneration,
    secrets: { wanted, present: wanted.filter((s) => have.has(s)), missing: wanted.filter((s) => !have.has(s)) },
    lastSync: status.synchronizationTime,
    lastError: failure ? failureSummary(failure) : actorFailure,
    actor,
  };
}

/** Names of managed Secrets per namespace: one list call instead of one read per Secret. */
async function managedSecretNames(core: k8s.CoreV1Api, namespace?: string): Promise<Map<string, Set<string>>> {
  const labelSelector = `type=${SECRET_TYPE}`;
  const list = namespace ? await core.listNamespacedSecret({ namespace, labelSelector }) : await core.listSecretForAllNamespaces({ labelSelector });
  const byNamespace = new Map<string, Set<string>>();
  for (const s of list.items) {
    const ns = s.metadata?.namespace ?? '';
    if (!byNamespace.has(ns)) byNamespace.set(ns, new Set());
    byNamespace.get(ns)!.add(s.metadata?.name ?? '');
  }
  return byNamespace;
}

async function actorState(client: Client, connection: Connection, app: AivenApplication): Promise<AppStatusRow['actor']> {
  const handle = client.workflow.getHandle(appWorkflowId(app.metadata.namespace, app.metadata.name));
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'NO_ACTOR' };
    return { status: 'UNKNOWN', error: errorMessage(err) };
  }
  if (status !== 'RUNNING') return { status };
  try {
    // A query needs a worker; without one it would wait, so it gets five seconds.
    const state = await connection.withDeadline(Date.now() + 5000, () => handle.query(stateQuery));
    return { status, passes: state.passes, pendingStep: state.pendingStep, nextPassAt: state.nextPassAt, lastResult: state.lastResult };
  } catch (err) {
    return { status, error: `state query failed (is a worker running?): ${errorMessage(err)}` };
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}
