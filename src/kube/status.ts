// The AivenApplication status Aivenator writes, as the reference does:
// conditions replace those of the same type, and a failure removes Succeeded.
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
      for (const type of ['Succeeded', 'AivenFailure', 'LocalFailure'] as const) {
        const ok = type === 'Succeeded';
        conditions = setCondition(conditions, {
          type,
          status: ok ? 'True' : 'False',
          lastUpdateTime: at,
          reason: 'Synchronized',
          message: ok ? 'Secrets are synchronized with Aiven' : '',
        });
      }
      Object.assign(status, { synchronizationHash: specHash, synchronizationState: 'RolloutComplete', synchronizedGeneration: generation });
      break;
    case 'failed':
      conditions = setCondition(conditions, {
        type: outcome.conditionType,
        status: 'True',
        lastUpdateTime: at,
        reason: outcome.reason,
        message: outcome.transient ? `${outcome.message} (will retry)` : outcome.message,
      });
      status.synchronizationState = 'RolloutFailed';
      break;
    case 'up-to-date':
      break;
  }
  status.conditions = conditions;
  return status;
}

/** Go's time.RFC3339: seconds precision, Z for UTC. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
