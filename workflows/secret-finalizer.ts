// The Secret finalizer: one workflow per deleted managed Secret, id
// secret-finalizer/<namespace>/<name>/<uid>. It reads the Secret's annotations,
// cleans up each Aiven user they name (OpenSearch: ACL entry, then the user;
// Kafka and Valkey: the user; 404 = done), keeps users another live Secret
// still points at, and then removes only our finalizer. The activities delete
// only users proven to belong to this Secret (signature, or the naming rules);
// others are left alone and reported (status `refused`).
//
// Failures are retried for ever with exponential backoff (10 s doubling to
// 10 min); the failing step and its last error are in the `state` query and in
// the Temporal UI (current details). Malformed annotations emit a Warning
// event and wait for a fix (the controller signals every change of the Secret)
// or for an operator's `skipCleanup`, which orphans what is left in Aiven,
// records who and what in an event, and releases the Secret.
import * as wf from '@temporalio/workflow';
import type { SecretCleanupPlan, SecretRef, ServiceUserRef } from '../src/model/types';
import { FailureTypes } from '../src/model/types';
import { describeServiceUser, serviceUserKey } from '../src/janitor/user-key';
import { proxyAivenatorActivities } from './activity-proxy';

export interface SkipCleanup {
  /** Who decided (e.g. an operator's name). */
  by: string;
  reason: string;
}

/** refused: not proven to belong to this Secret (activities/provenance.ts): left alone in Aiven. */
export type UserCleanupStatus = 'pending' | 'deleted' | 'absent' | 'kept' | 'refused' | 'orphaned';

export interface FinalizerUser extends ServiceUserRef {
  status: UserCleanupStatus;
  /** For `kept`: the other Secret of the same namespace that still points at the user. */
  keptFor?: string;
}

export interface FinalizerState {
  secret: SecretRef;
  app?: string;
  phase: 'cleaning' | 'waiting-to-retry' | 'waiting-for-fix' | 'removing-finalizer' | 'done';
  /** The step that is running, or that failed and will be retried. */
  pendingStep?: string;
  lastError?: string;
  /** Failed rounds in a row. */
  failures: number;
  nextAttemptAt?: string;
  users: FinalizerUser[];
  /** Why cleanup cannot proceed (malformed annotations). */
  problems: string[];
  skipped?: SkipCleanup;
  outcome?: 'cleaned' | 'skipped' | 'secret-gone' | 'finalizer-absent' | 'not-terminating';
}

export interface SecretFinalizerInput extends SecretRef {
  /** Carried over by continue-as-new. */
  state?: FinalizerState;
}

export const skipCleanupSignal = wf.defineSignal<[SkipCleanup]>('skipCleanup');
/** Sent by the controller on every change of the terminating Secret (e.g. fixed annotations). */
export const secretChangedSignal = wf.defineSignal<[]>('secretChanged');
export const finalizerStateQuery = wf.defineQuery<FinalizerState>('state');

export function secretFinalizerWorkflowId(namespace: string, name: string, uid: string): string {
  return `secret-finalizer/${namespace}/${name}/${uid}`;
}

const acts = proxyAivenatorActivities({
  startToCloseTimeout: '1 minute',
  retry: {
    // Quick retries for blips; then the workflow records the error and backs off itself.
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: [FailureTypes.AivenPermanentError, FailureTypes.InvalidSpec],
  },
});

const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 10 * 60_000;
/** Re-read the Secret now and then while waiting for a fix, in case a change signal was missed. */
const FIX_RECHECK_MS = 60 * 60_000;
const MAX_HISTORY_EVENTS = 1000;

export function finalizerBackoffMs(failures: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS);
}

const SKIPPED: unique symbol = Symbol('skipped');

export async function secretFinalizerWorkflow(input: SecretFinalizerInput): Promise<FinalizerState> {
  const secret: SecretRef = { namespace: input.namespace, name: input.name, uid: input.uid };
  const state: FinalizerState = input.state ?? { secret, phase: 'cleaning', failures: 0, users: [], problems: [] };
  let changed = false;
  wf.setHandler(finalizerStateQuery, () => state);
  wf.setHandler(secretChangedSignal, () => {
    changed = true;
  });
  wf.setHandler(skipCleanupSignal, (skip) => {
    if (!state.skipped && state.phase !== 'removing-finalizer' && state.phase !== 'done') state.skipped = skip;
  });

  /** Runs a step; resolves SKIPPED (cancelling the step) as soon as an operator skips. */
  async function step<T>(name: string, run: () => Promise<T>): Promise<T | typeof SKIPPED> {
    state.pendingStep = name;
    wf.setCurrentDetails(`${name}${state.lastError ? `\n\nlast error (${state.failures} failed rounds): ${state.lastError}` : ''}`);
    if (state.skipped) return SKIPPED;
    const scope = new wf.CancellationScope();
    try {
      return await scope.run(() => Promise.race<T | typeof SKIPPED>([run(), wf.condition(() => state.skipped !== undefined).then(() => SKIPPED)]));
    } finally {
      scope.cancel();
    }
  }

  /** Waits for the backoff, a change of the Secret, or a skip. */
  async function pause(ms: number, phase: FinalizerState['phase']): Promise<void> {
    state.phase = phase;
    const at = Date.now() + ms;
    state.nextAttemptAt = new Date(at).toISOString();
    const why = phase === 'waiting-for-fix' ? `waiting for a fix of the Secret's annotations: ${state.problems.join('; ')}` : `waiting to retry ${state.pendingStep} after: ${state.lastError}`;
    wf.setCurrentDetails(`${why}\n\nSignal skipCleanup {by, reason} to orphan the Aiven users and release the Secret.`);
    changed = false;
    await wf.condition(() => changed || state.skipped !== undefined, ms);
    state.nextAttemptAt = undefined;
    state.phase = 'cleaning';
  }

  function failed(err: unknown): void {
    state.failures++;
    state.lastError = errorMessage(err);
    wf.log.warn('Secret cleanup step failed', { secret: `${secret.namespace}/${secret.name}`, step: state.pendingStep, error: state.lastError, failures: state.failures });
  }

  let reportedProblems = '';
  // Whether the annotations were read (so a skip can say which users it orphans).
  let planned = input.state !== undefined;
  cleanup: for (;;) {
    if (state.skipped) break;
    await maybeContinueAsNew(input, state);
    let plan: SecretCleanupPlan | typeof SKIPPED;
    try {
      plan = await step('read the Secret and who else uses its users', () => acts.planSecretCleanup(secret));
    } catch (err) {
      failed(err);
      await pause(finalizerBackoffMs(state.failures), 'waiting-to-retry');
      continue;
    }
    if (plan === SKIPPED) break;
    if (plan.status !== 'terminating') {
      // Nothing to do: the Secret is gone, already released, or was never deleted.
      return finish(state, plan.status === 'gone' ? 'secret-gone' : plan.status);
    }
    planned = true;
    state.app = plan.app;
    mergeUsers(state, plan);
    state.problems = plan.problems;
    if (plan.problems.length > 0) {
      const text = plan.problems.join('; ');
      if (text !== reportedProblems) {
        reportedProblems = text;
        await acts
          .recordSecretEvent({ secret, type: 'Warning', reason: 'CleanupBlocked', note: `cannot clean up the Aiven users of this Secret: ${text}. Fix the annotations or signal skipCleanup to workflow ${wf.workflowInfo().workflowId}` })
          .catch(() => undefined);
      }
      state.pendingStep = 'wait for fixed annotations';
      await pause(FIX_RECHECK_MS, 'waiting-for-fix');
      continue;
    }

    for (const user of state.users) {
      if (user.status !== 'pending') continue;
      const what = describeServiceUser(user);
      try {
        const reason = `Secret ${secret.namespace}/${secret.name} was deleted`;
        const owner = { user: userRef(user), reason, regarding: { apiVersion: 'v1', kind: 'Secret', namespace: secret.namespace, name: secret.name, uid: secret.uid } };
        if (user.handler === 'opensearch') {
          // The owner goes along so the activity can check provenance (same command as before: only its input grew).
          if ((await step(`remove the OpenSearch ACL entry of ${user.username} in ${user.project}/${user.service}`, () => acts.removeOpenSearchAclEntry(owner))) === SKIPPED) break cleanup;
        }
        const result = await step(`delete ${what}`, () => acts.deleteAivenServiceUser(owner));
        if (result === SKIPPED) break cleanup;
        user.status = result;
      } catch (err) {
        failed(err);
        break;
      }
    }
    if (state.users.every((u) => u.status !== 'pending')) break;
    await pause(finalizerBackoffMs(state.failures), 'waiting-to-retry');
  }
  // From here on a skip changes nothing: cleanup is over either way.
  state.phase = 'removing-finalizer';

  if (state.skipped) {
    if (!planned) {
      // Skipped before the annotations were read: read them once so the event can name what is orphaned.
      const plan = await acts.planSecretCleanup(secret).catch(() => undefined);
      if (plan?.status === 'terminating') {
        mergeUsers(state, plan);
        state.problems = plan.problems;
      }
    }
    const orphaned = state.users.filter((u) => u.status === 'pending');
    for (const u of orphaned) u.status = 'orphaned';
    const list = orphaned.length > 0 ? orphaned.map(describeServiceUser).join(', ') : 'no identified user';
    const unidentified = state.problems.length > 0 ? `; not identifiable from the annotations: ${state.problems.join('; ')}` : '';
    await acts
      .recordSecretEvent({
        secret,
        type: 'Warning',
        reason: 'CleanupSkipped',
        note: `cleanup skipped by ${state.skipped.by}: ${state.skipped.reason}; orphaned in Aiven: ${list}${unidentified}`,
      })
      .catch(() => undefined);
  } else {
    const done = state.users.filter((u) => u.status === 'deleted' || u.status === 'absent').map((u) => u.username);
    const kept = state.users.filter((u) => u.status === 'kept').map((u) => `${u.username}${u.keptFor ? ` (still used by Secret ${u.keptFor})` : ''}`);
    const refused = state.users.filter((u) => u.status === 'refused').map((u) => u.username);
    await acts
      .recordSecretEvent({
        secret,
        reason: 'CleanupFinished',
        note: `Aiven users cleaned up: ${done.join(', ') || 'none'}${kept.length ? `; kept: ${kept.join(', ')}` : ''}${refused.length ? `; not proven to belong to this Secret, left alone: ${refused.join(', ')}` : ''}`,
      })
      .catch(() => undefined);
  }

  state.lastError = undefined;
  state.failures = 0;
  for (;;) {
    state.pendingStep = 'remove the finalizer';
    wf.setCurrentDetails(`remove the finalizer${state.lastError ? `\n\nlast error: ${state.lastError}` : ''}`);
    try {
      await acts.removeSecretFinalizer(secret);
      break;
    } catch (err) {
      failed(err);
      await wf.sleep(finalizerBackoffMs(state.failures));
    }
  }
  return finish(state, state.skipped ? 'skipped' : 'cleaned');
}

/** The user alone, without the workflow's bookkeeping. */
function userRef(u: FinalizerUser): ServiceUserRef {
  return { handler: u.handler, project: u.project, ...(u.service !== undefined ? { service: u.service } : {}), username: u.username };
}

function finish(state: FinalizerState, outcome: NonNullable<FinalizerState['outcome']>): FinalizerState {
  state.outcome = outcome;
  state.phase = 'done';
  state.pendingStep = undefined;
  wf.setCurrentDetails(`done: ${outcome}`);
  return state;
}

/** Users found in the annotations join the list; a user another live Secret points at is kept. */
function mergeUsers(state: FinalizerState, plan: SecretCleanupPlan): void {
  for (const user of plan.users) {
    const key = serviceUserKey(user);
    let entry = state.users.find((u) => serviceUserKey(u) === key);
    if (!entry) state.users.push((entry = { ...user, status: 'pending' }));
    if (entry.status !== 'pending' && entry.status !== 'kept') continue;
    const other = plan.referencedBy[key];
    entry.status = other ? 'kept' : 'pending';
    entry.keptFor = other;
  }
}

async function maybeContinueAsNew(input: SecretFinalizerInput, state: FinalizerState): Promise<void> {
  const info = wf.workflowInfo();
  if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
    await wf.condition(wf.allHandlersFinished);
    await wf.continueAsNew<typeof secretFinalizerWorkflow>({ namespace: input.namespace, name: input.name, uid: input.uid, state });
  }
}

function errorMessage(err: unknown): string {
  let current: unknown = err;
  // The ActivityFailure wraps the ApplicationFailure that says what went wrong.
  while (current instanceof wf.ActivityFailure && current.cause) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
