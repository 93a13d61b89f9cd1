// The AivenApplication status Aivenator writes, as the reference does:
// conditions replace those of the same type, and a failure removes Succeeded.
// Reasons are the Go operator's: none on success, its operation names on
// failure (tools and alerts that read conditions keep working); our own,
// finer reason goes first in the message.
import type { PassOutcome } from '../model/types';
import { AivenApplicationCondition, AivenApplicationStatus } from './aivenapp-types';

export function setCondition(conditions: AivenApplicationCondition[], condition: AivenApplicationCondition): AivenApplicationCondition[] {
  const isFailure = (condition.type === 'AivenFailure' || condition.type === 'LocalFailure') && condition.status === 'True';
  return [
    ...conditions.filter((c) => c.type !== condition.type && !(isFailure && c.type === 'Succeeded')),
    condition,
  ];
}

export interface StatusInput {
  current: AivenApplicationStatus | undefined;
  generation: number;
  specHash: string;
  deprecatedSecretName: boolean;
  outcome: PassOutcome;
  now: Date;
}

export function nextStatus({ current, generation, specHash, deprecatedSecretName, outcome, now }: StatusInput): AivenApplicationStatus {
  const at = rfc3339(now);
  let conditions = current?.conditions ?? [];
  if (deprecatedSecretName) {
    conditions = setCondition(conditions, {
      type: 'Deprecated',
      status: 'True',
      lastUpdateTime: at,
      reason: 'DeprecatedField',
      message: 'spec.secretName is deprecated; use secretName in kafka, openSearch and valkey[]',
    });
  }
  const status: AivenApplicationStatus = { synchronizationTime: at, observedGeneration: generation };
  switch (outcome.kind) {
    case 'synced':
      // Go sets only type, status and lastUpdateTime here.
      for (const type of ['Succeeded', 'AivenFailure', 'LocalFailure'] as const) {
        conditions = setCondition(conditions, { type, status: type === 'Succeeded' ? 'True' : 'False', lastUpdateTime: at });
      }
      Object.assign(status, { synchronizationHash: specHash, synchronizationState: 'RolloutComplete', synchronizedGeneration: generation });
      break;
    case 'failed': {
      const reason = goFailureReason(outcome.conditionType, outcome.reason);
      const detail = reason === outcome.reason ? outcome.message : `${outcome.reason}: ${outcome.message}`;
      conditions = setCondition(conditions, {
        type: outcome.conditionType,
        status: 'True',
        lastUpdateTime: at,
        reason,
        message: `operation ${reason} failed${outcome.conditionType === 'AivenFailure' ? ' in Aiven' : ''}: ${outcome.transient ? `${detail} (will retry)` : detail}`,
      });
      status.synchronizationState = 'RolloutFailed';
      break;
    }
    case 'up-to-date':
      break;
  }
  status.conditions = conditions;
  return status;
}

/**
 * The Go operator's reason for a failure. Its reconciler wraps everything the
 * handlers do (validation, Aiven calls, key stores) as LocalFailure
 * "CreateSecret", a failed expiry as "HandleProtectedAndTimeLimited"; Aiven
 * failures carry the Aiven operation, as ours already do.
 */
export function goFailureReason(conditionType: 'AivenFailure' | 'LocalFailure', reason: string): string {
  if (conditionType === 'AivenFailure') return reason;
  if (reason === 'DeleteExpired') return 'HandleProtectedAndTimeLimited';
  if (reason === 'WriteStatus' || reason === 'ReadApplication') return reason;
  return 'CreateSecret';
}

/** Go's reasons that stand for a whole step: our own reason leads their message. */
const STEP_REASONS = new Set(['CreateSecret', 'HandleProtectedAndTimeLimited']);

/**
 * "<our reason>: <detail>" of a failure condition nextStatus wrote (what a person
 * wants to read, e.g. in `aivenator status`); other conditions as "<reason>: <message>".
 */
export function failureSummary(condition: { type: string; reason?: string; message?: string }): string {
  const m = /^operation (\S+) failed(?: in Aiven)?: ([\s\S]*)$/.exec(condition.message ?? '');
  if (!m || m[1] !== condition.reason) return `${condition.reason ?? condition.type}: ${condition.message ?? ''}`;
  return condition.type === 'LocalFailure' && STEP_REASONS.has(m[1]) ? m[2] : `${m[1]}: ${m[2]}`;
}

/** Go's time.RFC3339: seconds precision, Z for UTC. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
