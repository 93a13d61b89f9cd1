// Compensation for the reconcile pass (the saga), and the workflow that
// releases Aiven users nobody references any more.
//
// Where an unreferenced user really comes from, given that each sync activity
// creates the user and writes its Secret in one go:
//  1. The activity created the user and then failed before or at the Secret
//     write (an ACL PUT refused, a Secret the apiserver rejects, ...). If the
//     failure is permanent the user is compensated at once; if it is transient
//     the entry is remembered, because the next pass may run for a NEW
//     generation and never reuse that user. It is settled (deleted unless some
//     Secret points at it) by the next pass that is not a transient failure, or
//     when the application is deleted.
//  2. A Secret that keeps its name across generations: the rewrite replaces
//     its old user (reference §8: "a Secret that keeps its name orphans its old
//     user"). The users each Secret pointed at are read before the pass, and the
//     replaced ones are retired only when no pod can still hold them: every pod
//     of the namespace that references the Secret started after the rewrite (or
//     none references it) — then after a grace period. Pods keep credentials in
//     their environment, so an old pod of a stuck rollout keeps working. Until
//     then the user is kept, re-checked on a timer, visible in the release
//     workflow's details and `retirement` query and in the actor's saga state.
//     A maximum age (off by default) may force the retirement.
// Every release goes through `releaseServiceUsersWorkflow`, started as an
// abandoned child: it outlives the actor's continue-as-new and the
// application, retries Aiven for up to a week, and right before deleting checks
// that no live managed Secret points at the user.
import * as wf from '@temporalio/workflow';
import type {
  AppRef,
  AppSnapshot,
  CapturedSecretUsers,
  EventRegarding,
  OldCredentialHolders,
  OldCredentialHoldersInput,
  SecretEntry,
  ServiceUserRef,
  SyncSecretResult,
} from '../src/model/types';
import { describeServiceUser, serviceUserKey } from '../src/janitor/user-key';
import { proxyAivenatorActivities } from './activity-proxy';

/** Before it, replaced users were released after the grace without looking at pods. */
export const USAGE_AWARE_RETIREMENT_PATCH = 'usage-aware-retirement';

export interface UnsettledEntry {
  generation: number;
  entry: SecretEntry;
}

/** Kept in the actor's state (and so across continue-as-new). */
export interface SagaState {
  unsettled: UnsettledEntry[];
  /** Replaced users whose retirement was started (latest last, bounded): see the child workflow's `retirement` query. */
  retiring?: { workflowId: string; users: string[]; secrets: string[]; since: string }[];
}

export interface ReleaseUsersInput {
  users: ServiceUserRef[];
  /** Wait this long before deleting (0 = at once). */
  graceMs: number;
  reason: string;
  regarding?: EventRegarding;
  /** Replaced users: wait until no pod that references these Secrets started before the rewrite. */
  heldBy?: OldCredentialHoldersInput;
  /** Force the release this long after the rewrite even if old pods remain (0 or absent: never). */
  maxAgeMs?: number;
  /** How often the pods are looked at again. */
  recheckMs?: number;
}

/** What a retirement is waiting for (query `retirement`). */
export interface RetirementState {
  users: string[];
  phase: 'waiting-for-pods' | 'grace' | 'releasing' | 'done';
  /** Pods that may still hold the old credentials, at the last check. */
  holders?: OldCredentialHolders;
  checks: number;
  lastCheckAt?: string;
  /** When the maximum age forces the release, if configured. */
  forcedAt?: string;
  forced?: boolean;
}

export const retirementQuery = wf.defineQuery<RetirementState>('retirement');

export interface ReleaseUsersResult {
  deleted: string[];
  absent: string[];
  /** Still referenced by a live Secret: left alone. */
  kept: string[];
  /** Not proven to belong to the application: left alone (a CleanupRefused event says so). */
  refused?: string[];
}

const quick = proxyAivenatorActivities({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
});

const patient = proxyAivenatorActivities({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '7 days',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function releaseServiceUsersWorkflow(input: ReleaseUsersInput): Promise<ReleaseUsersResult> {
  const names = input.users.map(describeServiceUser).join(', ');
  const state: RetirementState = { users: input.users.map(describeServiceUser), phase: 'grace', checks: 0 };
  wf.setHandler(retirementQuery, () => state);
  if (input.heldBy && wf.patched(USAGE_AWARE_RETIREMENT_PATCH)) {
    state.forced = await waitForOldPods(input, input.heldBy, state, names);
    state.phase = 'grace';
  }
  if (input.graceMs > 0 && !state.forced) {
    wf.setCurrentDetails(`waiting until ${new Date(Date.now() + input.graceMs).toISOString()} to release ${names}: ${input.reason}`);
    await wf.sleep(input.graceMs);
  }
  state.phase = 'releasing';
  wf.setCurrentDetails(`releasing ${names}: ${input.reason}`);
  const result: ReleaseUsersResult = { deleted: [], absent: [], kept: [] };
  const references = await patient.findServiceUserReferences({ users: input.users });
  for (const user of input.users) {
    const label = describeServiceUser(user);
    const other = references[serviceUserKey(user)];
    if (other) {
      result.kept.push(`${label} (used by Secret ${other})`);
      continue;
    }
    // Both activities prove the user belongs to `regarding` before they act (activities/provenance.ts).
    if (user.handler === 'opensearch') await patient.removeOpenSearchAclEntry({ user, reason: input.reason, regarding: input.regarding });
    const outcome = await patient.deleteAivenServiceUser({ user, reason: input.reason, regarding: input.regarding });
    if (outcome === 'refused') (result.refused ??= []).push(label);
    else (outcome === 'deleted' ? result.deleted : outcome === 'kept' ? result.kept : result.absent).push(label);
  }
  state.phase = 'done';
  wf.setCurrentDetails(`done: deleted ${result.deleted.length}, already gone ${result.absent.length}, kept ${result.kept.length}, refused ${result.refused?.length ?? 0}`);
  return result;
}

/**
 * Waits until no pod that references the Secrets started before the rewrite, looking
 * again every `recheckMs`. Returns true when the maximum age forced the end instead.
 */
async function waitForOldPods(input: ReleaseUsersInput, heldBy: OldCredentialHoldersInput, state: RetirementState, names: string): Promise<boolean> {
  const maxAge = input.maxAgeMs ?? 0;
  const deadline = maxAge > 0 ? Date.parse(heldBy.rewrittenAt) + maxAge : Infinity;
  if (deadline !== Infinity) state.forcedAt = new Date(deadline).toISOString();
  const recheck = Math.max(input.recheckMs ?? DEFAULT_RECHECK_MS, 1000);
  state.phase = 'waiting-for-pods';
  for (;;) {
    state.holders = await patient.findOldCredentialHolders(heldBy);
    state.checks++;
    state.lastCheckAt = new Date().toISOString();
    if (state.holders.count === 0) return false;
    if (Date.now() >= deadline) {
      wf.log.warn('replaced users retired at their maximum age although pods may still hold them', { users: state.users, pods: state.holders.count });
      return true;
    }
    const listed = state.holders.pods.map((p) => `${p.pod} (started ${p.startedAt})`).join(', ');
    wf.setCurrentDetails(`keeping ${names}: ${state.holders.count} pod(s) started before the rewrite still reference ${heldBy.secretNames.join(', ')}: ${listed}`);
    await wf.sleep(Math.min(recheck, Math.max(deadline - Date.now(), 1000)));
  }
}

const DEFAULT_RECHECK_MS = 2 * 60_000;

/**
 * After the sync loop of a pass: release users replaced in rewritten Secrets,
 * compensate the failed entry (permanent failure) or remember it (transient),
 * and settle earlier remembered entries unless this pass failed transiently.
 * Never throws: compensation must not fail the pass.
 */
export async function settleSync(
  holder: { saga?: SagaState },
  app: AppSnapshot,
  captured: CapturedSecretUsers | undefined,
  results: SyncSecretResult[],
  failed?: { entry: SecretEntry; transient: boolean },
): Promise<void> {
  const saga = (holder.saga ??= { unsettled: [] });
  const regarding: EventRegarding = { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', namespace: app.namespace, name: app.name, uid: app.uid };
  try {
    const { users: replaced, secrets } = captured ? replacedUsers(captured, results) : { users: [], secrets: [] };
    if (replaced.length > 0) {
      const usageAware = wf.patched(USAGE_AWARE_RETIREMENT_PATCH);
      const workflowId = await startRelease(app, {
        users: replaced,
        graceMs: captured!.replacedUserGraceMs,
        reason: `replaced by generation ${app.generation} in a Secret that kept its name`,
        regarding,
        ...(usageAware
          ? {
            heldBy: { namespace: app.namespace, secretNames: secrets, rewrittenAt: new Date().toISOString() },
            maxAgeMs: captured!.replacedUserMaxAgeMs,
            recheckMs: captured!.replacedUserRecheckMs,
          }
          : {}),
      });
      if (usageAware) {
        const retiring = (saga.retiring ??= []);
        retiring.push({ workflowId, users: replaced.map(describeServiceUser), secrets, since: new Date().toISOString() });
        if (retiring.length > 20) retiring.splice(0, retiring.length - 20);
      }
    }

    const toSettle: UnsettledEntry[] = [];
    if (failed && failed.transient) {
      remember(saga, { generation: app.generation, entry: failed.entry });
    } else {
      if (failed) toSettle.push({ generation: app.generation, entry: failed.entry });
      toSettle.push(...saga.unsettled.splice(0));
    }
    // Entries whose users could not be looked up are kept for the next pass, not dropped.
    for (const item of await compensate(app, toSettle, regarding)) remember(saga, item);
  } catch (err) {
    wf.log.warn('compensation after the pass failed', { error: message(err) });
  }
}

/** The application is gone: settle what earlier passes left unsettled. */
export async function settleOnDeletion(holder: { saga?: SagaState }, app: AppRef): Promise<void> {
  const pending = holder.saga?.unsettled.splice(0) ?? [];
  if (pending.length === 0) return;
  try {
    const left = await compensate(app, pending, { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', namespace: app.namespace, name: app.name });
    if (left.length > 0) wf.log.warn('the application is gone and users of its failed passes could not be looked up; they stay in Aiven', { entries: left.length });
  } catch (err) {
    wf.log.warn('compensation after deletion failed', { error: message(err) });
  }
}

function replacedUsers(captured: CapturedSecretUsers, results: SyncSecretResult[]): { users: ServiceUserRef[]; secrets: string[] } {
  const replaced = new Map<string, ServiceUserRef>();
  const secrets = new Set<string>();
  for (const r of results) {
    const current = serviceUserKey({ handler: r.service, project: r.project, service: r.serviceName, username: r.username });
    for (const before of captured.users[r.secretName] ?? []) {
      const key = serviceUserKey(before);
      if (key !== current) {
        replaced.set(key, before);
        secrets.add(r.secretName);
      }
    }
  }
  return { users: [...replaced.values()], secrets: [...secrets] };
}

function remember(saga: SagaState, item: UnsettledEntry): void {
  const same = saga.unsettled.some((u) => u.generation === item.generation && u.entry.secretName === item.entry.secretName && u.entry.service === item.entry.service);
  if (!same) saga.unsettled.push(item);
  // Bounded: an application failing for ever with new generations must not grow the state without end.
  if (saga.unsettled.length > 50) saga.unsettled.splice(0, saga.unsettled.length - 50);
}

/**
 * Finds the users the failed entries created (if they exist) and releases them at
 * once. If a lookup fails (e.g. Aiven answering 429 beyond the quick retries),
 * nothing is released and every entry is returned, to be tried again later.
 */
async function compensate(app: AppRef, entries: UnsettledEntry[], regarding: EventRegarding): Promise<UnsettledEntry[]> {
  const users = new Map<string, ServiceUserRef>();
  const generations = new Set<number>();
  for (const { generation, entry } of entries) {
    let user: ServiceUserRef | null;
    try {
      user = await quick.findFailedSyncUser({ app: { namespace: app.namespace, name: app.name, generation }, entry });
    } catch (err) {
      wf.log.warn('could not look up a user to compensate; keeping it for the next pass', { error: message(err) });
      return entries;
    }
    if (user) {
      users.set(serviceUserKey(user), user);
      generations.add(generation);
    }
  }
  if (users.size === 0) return [];
  await startRelease(app, {
    users: [...users.values()],
    graceMs: 0,
    reason: `created by a failed pass (generation ${[...generations].join(', ')}) and never written to a Secret`,
    regarding,
  });
  return [];
}

async function startRelease(app: AppRef, input: ReleaseUsersInput): Promise<string> {
  wf.log.info('releasing service users', { namespace: app.namespace, name: app.name, users: input.users.map(describeServiceUser), reason: input.reason });
  const workflowId = `release-users/${app.namespace}/${app.name}/${wf.uuid4()}`;
  await wf.startChild(releaseServiceUsersWorkflow, { workflowId, args: [input], parentClosePolicy: wf.ParentClosePolicy.ABANDON });
  return workflowId;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
