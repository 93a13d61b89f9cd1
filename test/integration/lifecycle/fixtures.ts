// Helpers for the Secret lifecycle tests: managed Secrets made by hand, Aiven
// users made through the real API against the fake, and reading what the fake
// was asked to do.
import * as k8s from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { ActorState, stateQuery } from '../../../workflows/application';
import { FINALIZER } from '../../../src/handlers/secret-meta';
import { eventually, fakeAiven } from '../../env/aivenator';
import { world } from '../../env/world';
import { appEvents, core, secretOrUndefined } from '../reconcile/fixtures';

export const MANAGED_LABELS = { type: 'aivenator.aiven.nais.io', 'aivenator.aiven.nais.io/protected': 'false' };

export async function createManagedSecret(
  namespace: string,
  name: string,
  opts: { annotations?: Record<string, string>; labels?: Record<string, string>; finalizer?: boolean } = {},
): Promise<k8s.V1Secret> {
  return core.createNamespacedSecret({
    namespace,
    body: {
      metadata: {
        name,
        namespace,
        labels: { ...MANAGED_LABELS, app: 'hand-made', team: namespace, ...opts.labels },
        annotations: opts.annotations,
        finalizers: opts.finalizer === false ? undefined : [FINALIZER],
      },
      data: { AIVEN_CA: Buffer.from('not a real CA').toString('base64') },
    },
  });
}

export async function deleteSecret(namespace: string, name: string): Promise<void> {
  await core.deleteNamespacedSecret({ namespace, name });
}

export async function waitSecretGone(namespace: string, name: string, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => ((await secretOrUndefined(namespace, name)) ? undefined : true), timeoutMs, `Secret ${namespace}/${name} to disappear`);
}

export function kafkaAnnotations(username: string, pool = world().aiven.mainProject): Record<string, string> {
  return { 'kafka.aiven.nais.io/serviceUser': username, 'kafka.aiven.nais.io/pool': pool };
}

export function valkeyAnnotations(instance: string, service: string, username: string): Record<string, string> {
  return {
    [`${instance}.valkey.aiven.nais.io/serviceUser`]: username,
    [`${instance}.valkey.aiven.nais.io/serviceName`]: service,
    'valkey.aiven.nais.io/project': world().aiven.mainProject,
  };
}

/** The fake's request log since `since`, filtered to one operation on one user. */
export async function callsFor(since: number, operation: string, username: string): Promise<{ seq: number; status: number; path: string }[]> {
  const log = await fakeAiven().getRequestLog(since);
  return log.entries.filter((e) => e.operation === operation && e.path.endsWith(`/user/${encodeURIComponent(username)}`));
}

/** The highest sequence number in the fake's request log so far. */
export async function logMark(): Promise<number> {
  const log = await fakeAiven().getRequestLog();
  return log.entries.reduce((max, e) => Math.max(max, e.seq), 0);
}

/** Events regarding an object of this name (the Secret or the application). */
export const eventsFor = appEvents;

export async function userExists(project: string, service: string, username: string): Promise<boolean> {
  return (await fakeAiven().getUser(project, service, username)) !== undefined;
}

/**
 * Waits until the application's actor has finished its pass, janitor step
 * included. Deleting an application while that step still runs lets the
 * per-app janitor see its Secrets as unused (nothing names them any more).
 */
export async function actorIdle(client: Client, namespace: string, name: string): Promise<ActorState> {
  return eventually(async () => {
    const state = await client.workflow.getHandle(`aivenapp/${namespace}/${name}`).query<ActorState>(stateQuery);
    return state.pendingStep === undefined && state.lastResult !== undefined ? state : undefined;
  }, 20_000, `actor ${namespace}/${name} idle`);
}
