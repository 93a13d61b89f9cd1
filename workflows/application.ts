// The application actor: one long-lived workflow per AivenApplication
// (id aivenapp/<namespace>/<name>). It serialises reconcile passes, folds a
// burst of change signals into one more pass, retries transient failures on a
// timer, deletes the application at `expiresAt`, and ends when it is deleted.
import * as wf from '@temporalio/workflow';
import type { AivenatorActivities } from '../activities/types';
import type { AppRef, AppSnapshot, PassOutcome, SecretEntry, SyncSecretResult } from '../src/model/types';
import { FailureTypes } from '../src/model/types';
import { SagaState, settleOnDeletion, settleSync } from './compensation';
import { PassFailure, classifyFailure, passBackoffMs } from './failures';
import { HealthRecord, checkHealth, nextHealthCheckAt } from './health';
import { runAppJanitor } from './janitor';
import { SyncState, upsertAppSearchAttributes } from './search-attributes';
import { proxyAivenatorActivities } from './activity-proxy';

export interface ChangeNotice {
  reason: string;
}

export interface PassRecord {
  outcome: 'synced' | 'up-to-date' | 'failed' | 'expired' | 'deleted';
  at: string;
  generation?: number;
  reason?: string;
  message?: string;
}

export interface ActorState extends AppRef {
  generation?: number;
  passes: number;
  signals: number;
  syncState?: SyncState;
  pendingStep?: string;
  lastResult?: PassRecord;
  consecutiveFailures: number;
  /** When the actor will run a pass by itself (retry or expiry), ISO time. */
  nextPassAt?: string;
  /** Entries of transiently failed passes whose users are still to be settled (workflows/compensation.ts). */
  saga?: SagaState;
  /** When the next credential-health check runs (ms since epoch), and what the last one found. */
  nextHealthCheckAt?: number;
  lastHealthCheck?: HealthRecord;
}

export interface ApplicationWorkflowInput extends AppRef {
  /** Carried over by continue-as-new. */
  state?: ActorState;
  pendingPass?: boolean;
  wakeAt?: number;
  /** Continue-as-new past this many history events (default MAX_HISTORY_EVENTS). */
  historyLimit?: number;
}

export const changedSignal = wf.defineSignal<[ChangeNotice]>('changed');
export const stateQuery = wf.defineQuery<ActorState>('state');

/** Keeps each run's history well below Temporal's limits and our 2,000-event goal. */
const MAX_HISTORY_EVENTS = 1000;

const activities = proxyAivenatorActivities({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    // Then the pass fails with a condition saying why, and the actor retries it on a timer.
    maximumAttempts: 5,
    nonRetryableErrorTypes: [
      FailureTypes.InvalidSpec,
      FailureTypes.SecretNotManaged,
      FailureTypes.AivenPermanentError,
      FailureTypes.InstanceNotFound,
      FailureTypes.InstanceNotReady,
      FailureTypes.Superseded,
    ],
  },
});

/**
 * The Kubernetes-only steps of a pass (read the application, write status,
 * per-application janitor) run as local activities: one marker event each in
 * the history instead of six (scheduled, started, completed and a workflow
 * task), with the same retries. Runs recorded before keep their activities.
 */
export const LOCAL_KUBE_STEPS_PATCH = 'kube-steps-as-local-activities';
const localActivities = wf.proxyLocalActivities<AivenatorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

function kubeSteps(): Pick<AivenatorActivities, 'loadApplication' | 'finishPass'> {
  return wf.patched(LOCAL_KUBE_STEPS_PATCH) ? localActivities : activities;
}

const syncers: Record<SecretEntry['service'], AivenatorActivities['syncKafkaSecret']> = {
  kafka: activities.syncKafkaSecret,
  opensearch: activities.syncOpenSearchSecret,
  valkey: activities.syncValkeySecret,
};

export async function aivenApplicationWorkflow(input: ApplicationWorkflowInput): Promise<ActorState> {
  const state: ActorState = input.state ?? { namespace: input.namespace, name: input.name, passes: 0, signals: 0, consecutiveFailures: 0 };
  let pending = input.pendingPass ?? true;
  let wakeAt = input.wakeAt;

  wf.setHandler(changedSignal, () => {
    state.signals++;
    pending = true;
  });
  wf.setHandler(stateQuery, () => state);

  for (;;) {
    let forceReason: string | undefined;
    let healthy = false;
    if (!pending) {
      const healthAt = state.nextHealthCheckAt;
      const wake = Math.min(wakeAt ?? Infinity, healthAt ?? Infinity);
      const woke = wake === Infinity ? (await wf.condition(() => pending), true) : await wf.condition(() => pending, Math.max(wake - Date.now(), 1));
      const healthDue = !woke && healthAt !== undefined && healthAt <= Date.now() && !(wakeAt !== undefined && wakeAt <= Date.now());
      if (healthDue) {
        healthy = (await healthCheck(state)) === 'healthy';
        if (!healthy) forceReason = 'Drift';
      }
    }
    if (!healthy) {
      // A change, the retry or expiry timer, or drift to repair.
      pending = false;
      const next = await runPass(state, forceReason);
      if (next === 'ended') return state;
      wakeAt = next.wakeAt;
      state.nextPassAt = wakeAt === undefined ? undefined : new Date(wakeAt).toISOString();
    }
    const info = wf.workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof aivenApplicationWorkflow>({ ...input, state, pendingPass: pending, wakeAt });
    }
  }
}

type PassNext = 'ended' | { wakeAt?: number };

/** Runs a credential-health check; 'drift' asks for a repairing pass. */
async function healthCheck(state: ActorState): Promise<'healthy' | 'drift'> {
  let app: AppSnapshot | null = null;
  try {
    app = await step(state, 'read application', () => kubeSteps().loadApplication({ namespace: state.namespace, name: state.name }));
  } catch {
    // Tried again at the next interval.
  }
  state.nextHealthCheckAt = nextHealthCheckAt(app?.driftIntervalMs ?? 0);
  // A deleted or invalid application is a matter for a normal pass.
  if (!app || app.problems.length > 0) return app ? 'healthy' : 'drift';
  const { drifted, record } = await step(state, 'check credential health', () => checkHealth(app!));
  state.lastHealthCheck = record;
  return drifted ? 'drift' : 'healthy';
}

async function runPass(state: ActorState, forceReason?: string): Promise<PassNext> {
  state.passes++;
  const passStartedAt = now();
  const ref: AppRef = { namespace: state.namespace, name: state.name };
  let app: AppSnapshot | null;
  try {
    app = await step(state, 'read application', () => kubeSteps().loadApplication(ref));
  } catch (err) {
    return afterFailure(state, classifyFailure(err, 'ReadApplication'), undefined);
  }
  if (!app) {
    // Its Secrets are left to the janitor (running pods may still use them).
    await settleOnDeletion(state, ref);
    record(state, { outcome: 'deleted', at: now() });
    return 'ended';
  }
  state.generation = app.generation;
  upsertAppSearchAttributes(app, state.syncState ?? 'Pending');
  if (state.nextHealthCheckAt === undefined) state.nextHealthCheckAt = nextHealthCheckAt(app.driftIntervalMs);

  if (app.expiresAt && Date.parse(app.expiresAt) <= Date.now()) {
    const { expiresAt } = app;
    try {
      await step(state, 'delete expired application', () => activities.expireApplication({ ...ref, uid: app!.uid, expiresAt }));
    } catch (err) {
      return afterFailure(state, classifyFailure(err, 'DeleteExpired'), app);
    }
    record(state, { outcome: 'expired', at: now(), generation: app.generation, message: `expired at ${expiresAt}` });
    return 'ended';
  }

  const { outcome, failure } = await synchronise(state, app, forceReason);
  try {
    const finishApp = { ...ref, uid: app.uid, generation: app.generation, specHash: app.specHash, deprecatedSecretName: app.deprecatedSecretName };
    await step(state, 'write status', () => kubeSteps().finishPass({ app: finishApp, outcome, passStartedAt }));
  } catch (err) {
    return afterFailure(state, classifyFailure(err, 'WriteStatus'), app);
  }
  if (failure) return afterFailure(state, failure, app);

  state.consecutiveFailures = 0;
  state.syncState = 'RolloutComplete';
  upsertAppSearchAttributes(app, state.syncState);
  record(state, {
    outcome: outcome.kind === 'synced' ? 'synced' : 'up-to-date',
    at: now(),
    generation: app.generation,
    reason: outcome.kind === 'synced' ? outcome.syncReason : undefined,
  });
  await step(state, 'janitor', () => runAppJanitor({ ...ref, uid: app!.uid }, wf.patched(LOCAL_KUBE_STEPS_PATCH)));
  return { wakeAt: expiryWake(app) };
}

async function synchronise(state: ActorState, app: AppSnapshot, forceReason?: string): Promise<{ outcome: PassOutcome; failure?: PassFailure }> {
  if (app.problems.length > 0) {
    const failure: PassFailure = {
      conditionType: 'LocalFailure',
      reason: app.problems[0].reason,
      message: app.problems.map((p) => p.message).join('; '),
      transient: false,
    };
    return { outcome: failedOutcome(failure), failure };
  }
  const syncReason = app.storedHash !== app.specHash ? 'HashChanged' : app.missingSecrets.length > 0 ? 'MissingSecret' : forceReason;
  if (!syncReason) return { outcome: { kind: 'up-to-date' } };

  const results: SyncSecretResult[] = [];
  // The users the Secrets point at before this pass rewrites them (saga: replaced users are released).
  const captured = app.currentUsers;
  for (const entry of app.entries) {
    try {
      const input = { app: { namespace: app.namespace, name: app.name, uid: app.uid, generation: app.generation }, entry, secretContext: app.secretContext };
      results.push(await step(state, `sync ${entry.service} Secret ${entry.secretName}`, () => syncers[entry.service](input)));
    } catch (err) {
      const failure = classifyFailure(err, `Sync${entry.service[0].toUpperCase()}${entry.service.slice(1)}`);
      await step(state, 'compensate', () => settleSync(state, app, captured, results, { entry, transient: failure.transient }));
      return { outcome: failedOutcome(failure), failure };
    }
  }
  await step(state, 'release replaced users', () => settleSync(state, app, captured, results));
  return { outcome: { kind: 'synced', syncReason, results } };
}

function failedOutcome(f: PassFailure): PassOutcome {
  return { kind: 'failed', conditionType: f.conditionType, reason: f.reason, message: f.message, transient: f.transient };
}

function afterFailure(state: ActorState, failure: PassFailure, app: AppSnapshot | undefined): PassNext {
  state.syncState = 'RolloutFailed';
  if (app) upsertAppSearchAttributes(app, state.syncState);
  record(state, { outcome: 'failed', at: now(), generation: app?.generation, reason: failure.reason, message: failure.message });
  if (!failure.transient) {
    // Permanent: wait for the next change of the application (or its expiry).
    state.consecutiveFailures = 0;
    return { wakeAt: app ? expiryWake(app) : undefined };
  }
  state.consecutiveFailures++;
  const retryAt = Date.now() + (failure.retryAfterMs ?? passBackoffMs(state.consecutiveFailures));
  const expiry = app ? expiryWake(app) : undefined;
  return { wakeAt: expiry === undefined ? retryAt : Math.min(retryAt, expiry) };
}

function expiryWake(app: AppSnapshot): number | undefined {
  return app.expiresAt ? Date.parse(app.expiresAt) : undefined;
}

/** Runs one step, making it visible in the state query and the Temporal UI. */
async function step<T>(state: ActorState, name: string, run: () => Promise<T>): Promise<T> {
  state.pendingStep = name;
  wf.setCurrentDetails(`pass ${state.passes}: ${name}`);
  try {
    return await run();
  } finally {
    state.pendingStep = undefined;
    wf.setCurrentDetails('');
  }
}

function record(state: ActorState, result: PassRecord): void {
  state.lastResult = result;
}

function now(): string {
  return new Date().toISOString();
}
