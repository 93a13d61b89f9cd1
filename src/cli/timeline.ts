// The audit timeline of one application, read from the Temporal histories of
// its actor's runs: passes, users created or reused, Secrets written, status
// writes, failures and retries, timers and signals, with times.
//
// Only what the history holds is shown, and the history holds names, hashes and
// outcomes: activities return no credentials by design (activities/types.ts).
// Payloads are decoded with the default converter; fields are picked by name,
// never printed wholesale.
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { FinishPassSummary } from '../model/types';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;
type Failure = temporal.api.failure.v1.IFailure;

export type TimelineKind = 'actor' | 'signal' | 'pass' | 'read' | 'user' | 'secret' | 'status' | 'failure' | 'retry' | 'timer' | 'state' | 'activity';

export interface TimelineEntry {
  time: string;
  runId: string;
  /** The pass this entry belongs to (counted over every run of the actor). */
  pass?: number;
  kind: TimelineKind;
  text: string;
}

export interface RunHistory {
  runId: string;
  history: History;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
const SYNC_ACTIVITIES = new Set(['syncKafkaSecret', 'syncOpenSearchSecret', 'syncValkeySecret']);

/** Entries of every run, oldest run first. */
export function buildTimeline(runs: RunHistory[], namespace?: string): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let pass = 0;
  let syncState: string | undefined;
  for (const { runId, history } of runs) {
    const scheduled = new Map<string, { type: string; input: unknown }>();
    const attempts = new Map<string, number>();
    const emit = (event: HistoryEvent, kind: TimelineKind, text: string, withPass = true) =>
      entries.push({ time: eventTime(event), runId, ...(withPass && pass > 0 ? { pass } : {}), kind, text });

    for (const event of history.events ?? []) {
      const started = event.workflowExecutionStartedEventAttributes;
      if (started) {
        const input = decode(started.input?.payloads?.[0]) as { namespace?: string; name?: string; state?: { passes?: number } } | undefined;
        namespace ??= input?.namespace;
        if (started.continuedExecutionRunId) {
          pass = Math.max(pass, input?.state?.passes ?? pass);
          emit(event, 'actor', `actor continued as new from run ${short(started.continuedExecutionRunId)}`, false);
        } else {
          emit(event, 'actor', `actor started${input?.name ? ` for ${input.namespace}/${input.name}` : ''}`, false);
        }
        continue;
      }
      const signaled = event.workflowExecutionSignaledEventAttributes;
      if (signaled) {
        const arg = decode(signaled.input?.payloads?.[0]) as { reason?: string } | undefined;
        emit(event, 'signal', `signal ${signaled.signalName}${arg?.reason ? ` (${arg.reason})` : ''}`, false);
        continue;
      }
      const sched = event.activityTaskScheduledEventAttributes;
      if (sched) {
        const type = sched.activityType?.name ?? '?';
        scheduled.set(String(event.eventId), { type, input: decode(sched.input?.payloads?.[0]) });
        if (type === 'loadApplication') {
          pass++;
          emit(event, 'pass', `pass ${pass} started`);
        }
        continue;
      }
      const marker = event.markerRecordedEventAttributes;
      if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
        // A local activity: one marker with its type, attempt and result (or failure), no input.
        const data = (decode(marker.details?.data?.payloads?.[0]) ?? {}) as { activity_type?: string; attempt?: number };
        const type = data.activity_type ?? '?';
        const attempt = data.attempt ?? 1;
        if (type === 'loadApplication') {
          pass++;
          emit(event, 'pass', `pass ${pass} started`);
        }
        if (marker.failure) {
          emit(event, 'failure', `${type} failed after ${attempt} attempt(s): ${failureText(marker.failure)}`);
          continue;
        }
        if (attempt > 1) emit(event, 'retry', `${type}: attempt ${attempt} after ${attempt - 1} failed attempt(s)`);
        for (const [kind, text] of describeCompletion(type, undefined, decode(marker.details?.result?.payloads?.[0]), namespace)) emit(event, kind, text);
        continue;
      }
      const activityStarted = event.activityTaskStartedEventAttributes;
      if (activityStarted) {
        const key = String(activityStarted.scheduledEventId);
        const attempt = activityStarted.attempt ?? 1;
        attempts.set(key, attempt);
        if (attempt > 1) {
          const type = scheduled.get(key)?.type ?? 'activity';
          emit(event, 'retry', `${type}: attempt ${attempt}${activityStarted.lastFailure ? ` after ${attempt - 1} failed attempt(s), last: ${failureText(activityStarted.lastFailure)}` : ''}`);
        }
        continue;
      }
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed) {
        const s = scheduled.get(String(completed.scheduledEventId));
        for (const [kind, text] of describeCompletion(s?.type ?? '?', s?.input, decode(completed.result?.payloads?.[0]), namespace)) emit(event, kind, text);
        continue;
      }
      const failed = event.activityTaskFailedEventAttributes;
      if (failed) {
        const key = String(failed.scheduledEventId);
        const n = attempts.get(key) ?? 1;
        emit(event, 'failure', `${scheduled.get(key)?.type ?? 'activity'} failed after ${n} attempt(s): ${failureText(failed.failure)}`);
        continue;
      }
      const timedOut = event.activityTaskTimedOutEventAttributes;
      if (timedOut) {
        emit(event, 'failure', `${scheduled.get(String(timedOut.scheduledEventId))?.type ?? 'activity'} timed out: ${failureText(timedOut.failure)}`);
        continue;
      }
      const timer = event.timerStartedEventAttributes;
      if (timer) {
        const ms = protoMs(timer.startToFireTimeout);
        const at = ms === undefined ? undefined : new Date(Date.parse(eventTime(event)) + ms).toISOString();
        emit(event, 'timer', `waiting${ms === undefined ? '' : ` ${duration(ms)}`} for the next pass${at ? ` (until ${at})` : ''} unless a change arrives`);
        continue;
      }
      if (event.timerFiredEventAttributes) {
        emit(event, 'timer', 'timer fired: pass due (retry or expiry)');
        continue;
      }
      const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
      if (upsert) {
        const state = decode(upsert.searchAttributes?.indexedFields?.AivenSyncState ?? undefined);
        const value = Array.isArray(state) ? state[0] : state;
        if (typeof value === 'string' && value !== syncState) {
          if (value !== 'Pending') emit(event, 'state', `AivenSyncState=${value}`);
          syncState = value;
        }
        continue;
      }
      const wfTaskFailed = event.workflowTaskFailedEventAttributes;
      if (wfTaskFailed) {
        emit(event, 'failure', `workflow task failed (${String(wfTaskFailed.cause ?? '?')}): ${failureText(wfTaskFailed.failure)}`);
        continue;
      }
      const can = event.workflowExecutionContinuedAsNewEventAttributes;
      if (can) {
        emit(event, 'actor', `actor continued as new in run ${short(can.newExecutionRunId ?? '')}`, false);
        continue;
      }
      if (event.workflowExecutionCompletedEventAttributes) emit(event, 'actor', 'actor finished (the application is gone or expired)', false);
      else if (event.workflowExecutionFailedEventAttributes) emit(event, 'failure', `actor failed: ${failureText(event.workflowExecutionFailedEventAttributes.failure)}`, false);
      else if (event.workflowExecutionTerminatedEventAttributes) emit(event, 'actor', `actor terminated${event.workflowExecutionTerminatedEventAttributes.reason ? `: ${event.workflowExecutionTerminatedEventAttributes.reason}` : ''}`, false);
      else if (event.workflowExecutionCanceledEventAttributes) emit(event, 'actor', 'actor cancelled', false);
      else if (event.workflowExecutionTimedOutEventAttributes) emit(event, 'actor', 'actor timed out', false);
    }
  }
  return entries;
}

type Described = [TimelineKind, string][];

function describeCompletion(type: string, input: unknown, result: unknown, namespace: string | undefined): Described {
  const inp = (input ?? {}) as Record<string, unknown>;
  const res = (result ?? {}) as Record<string, unknown>;
  if (type === 'loadApplication') {
    if (result === null || result === undefined) return [['read', 'application not found: it was deleted']];
    const missing = asStrings(res.missingSecrets);
    const problems = Array.isArray(res.problems) ? (res.problems as { reason?: string }[]).map((p) => p.reason).filter(Boolean) : [];
    const stored = typeof res.storedHash === 'string' ? res.storedHash : undefined;
    const parts = [`read generation ${String(res.generation)}`, `spec hash ${String(res.specHash)}${stored && stored !== res.specHash ? ` (status has ${stored})` : ''}`];
    if (missing.length > 0) parts.push(`missing Secrets: ${missing.join(', ')}`);
    if (problems.length > 0) parts.push(`problems: ${problems.join(', ')}`);
    return [['read', parts.join(', ')]];
  }
  if (SYNC_ACTIVITIES.has(type)) {
    const where = `${String(res.project)}/${String(res.serviceName)}`;
    const ns = (inp.app as { namespace?: string } | undefined)?.namespace ?? namespace ?? '';
    return [
      ['user', `${res.userCreated ? 'created' : 'reused'} ${String(res.service)} user ${String(res.username)} in ${where}`],
      ['secret', `Secret ${ns ? `${ns}/` : ''}${String(res.secretName)} ${String(res.secretWrite)} (data hash ${String(res.dataHash)})`],
    ];
  }
  if (type === 'finishPass') return describeStatusWrite(inp, res);
  if (type === 'expireApplication') return [['status', `application deleted: expiresAt ${String(inp.expiresAt)} has passed`]];
  // Secret lifecycle: compensation, finalizer and janitor activities.
  if (type === 'deleteAivenServiceUser') {
    const user = (inp.user ?? {}) as { handler?: string; project?: string; service?: string; username?: string };
    const where = `${user.project ?? '?'}${user.service ? `/${user.service}` : ''}`;
    return [['user', `${result === 'absent' ? 'user already gone:' : 'deleted'} ${user.handler ?? ''} user ${user.username ?? '?'} in ${where}${inp.reason ? ` (${String(inp.reason)})` : ''}`.replace(/ {2,}/g, ' ')]];
  }
  if (type === 'removeOpenSearchAclEntry') {
    const user = (inp as { username?: string; service?: string });
    return [['user', `OpenSearch ACL entry of ${user.username ?? '?'} ${result === 'absent' ? 'already absent' : 'removed'}${user.service ? ` in ${user.service}` : ''}`]];
  }
  if (type === 'removeSecretFinalizer') return [['secret', `finalizer of Secret ${String(inp.namespace)}/${String(inp.name)}: ${String(result)}`]];
  if (type === 'janitorSweep') {
    const deleted = asStrings(res.deleted);
    const kept = (res.kept ?? {}) as Record<string, number>;
    if (res.skipped) return [['activity', `janitor skipped: ${String(res.skipped)}`]];
    const keptText = Object.entries(kept).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
    const count = Number(res.deletedCount ?? deleted.length);
    return [[count > 0 ? 'secret' : 'activity', `janitor: ${count} unused Secret(s) deleted${deleted.length ? ` (${deleted.join(', ')})` : ''}${keptText ? `; kept ${keptText}` : ''}`]];
  }
  if (type === 'findFailedSyncUser') return result ? [['user', `found user ${String(res.username)} created by the failed sync`]] : [];
  // Reads and bookkeeping that say nothing new on their own.
  if (['findServiceUserReferences', 'planSecretCleanup', 'recordSecretEvent'].includes(type)) return [];
  // Activities added later (clean-ups, janitor): describe them from well-known field names.
  const fields = { ...inp, ...res };
  const user = pick(fields, ['username', 'user']);
  const secret = pick(fields, ['secretName', 'secret']);
  if (/delete.*user|user.*delete/i.test(type) && user) return [['user', `deleted user ${user}${pick(fields, ['serviceName', 'service']) ? ` in ${pick(fields, ['project']) ?? ''}/${pick(fields, ['serviceName', 'service'])}` : ''}`]];
  if (/delete.*secret|secret.*delete/i.test(type) && secret) return [['secret', `deleted Secret ${secret}`]];
  const summary = Object.entries(res)
    .filter(([key, value]) => /name|user|secret|hash|deleted|created|kept|count|reason|outcome/i.test(key) && isPlain(value))
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  return [['activity', `${type} completed${summary.length ? `: ${summary.join(' ')}` : ''}`]];
}

/** From finishPass's summary (its result, recorded by local activities) or, in older runs, its input. */
function describeStatusWrite(inp: Record<string, unknown>, res: Record<string, unknown>): Described {
  const outcome = (inp.outcome ?? {}) as { kind?: string; syncReason?: string; reason?: string; message?: string; transient?: boolean; results?: unknown[] };
  const summary = res as Partial<FinishPassSummary>;
  const status = summary.status ?? { synced: 'RolloutComplete', 'up-to-date': 'UpToDate', failed: 'RolloutFailed' }[outcome.kind ?? ''];
  const generation = summary.generation ?? (inp.app as { generation?: number } | undefined)?.generation;
  const failure = summary.status ? summary : outcome;
  switch (status) {
    case 'RolloutComplete':
      return [['status', `status written: RolloutComplete for generation ${String(generation)} (${String(summary.syncReason ?? outcome.syncReason)}, ${summary.secrets ?? outcome.results?.length ?? 0} Secret(s))`]];
    case 'UpToDate':
      return [['status', 'status written: up to date (spec hash unchanged, every Secret exists)']];
    case 'RolloutFailed':
      return [['status', `status written: RolloutFailed, ${failure.reason}: ${failure.message}${failure.transient ? ' (will retry)' : ' (waits for a change)'}`]];
    case 'skipped':
      return [['status', 'status not written: the application was deleted or replaced meanwhile']];
    default:
      return [['status', 'status written']];
  }
}

function pick(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) if (typeof obj[key] === 'string' && obj[key]) return obj[key] as string;
  return undefined;
}

function isPlain(value: unknown): boolean {
  if (['string', 'number', 'boolean'].includes(typeof value)) return true;
  return Array.isArray(value) && value.length <= 20 && value.every((v) => ['string', 'number'].includes(typeof v));
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function failureText(failure: Failure | null | undefined): string {
  if (!failure) return 'unknown failure';
  const type = failure.applicationFailureInfo?.type;
  const inner = failure.cause && !failure.applicationFailureInfo ? failure.cause : undefined;
  const text = `${type ? `[${type}] ` : ''}${failure.message ?? ''}`;
  return inner ? `${text}: ${failureText(inner)}` : text;
}

function decode(payload: Payload | null | undefined): unknown {
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0]);
  } catch {
    return undefined;
  }
}

/** Milliseconds of a protobuf Timestamp or Duration, whether its seconds are a Long, a number or a string. */
function protoMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!ts) return undefined;
  const seconds = Number(ts.seconds == null ? 0 : typeof ts.seconds === 'object' ? String(ts.seconds) : ts.seconds);
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

function eventTime(event: HistoryEvent): string {
  const ms = protoMs(event.eventTime);
  return ms === undefined ? '' : new Date(ms).toISOString();
}

function short(runId: string): string {
  return runId.slice(0, 8);
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

/** One line per entry: time, pass, text. */
export function renderTimeline(entries: TimelineEntry[]): string {
  return entries
    .map((e) => `${e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}  ${(e.pass ? `pass ${e.pass}` : '').padEnd(8)}  ${e.text}`)
    .join('\n');
}
