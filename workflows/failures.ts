// Decides what a failed step means for the application: which condition it
// sets, and whether the actor retries on a timer (transient) or waits for the
// next change of the application (permanent).
import { ActivityFailure, ApplicationFailure, TemporalFailure } from '@temporalio/workflow';
import { FailureTypes } from '../src/model/types';

export interface PassFailure {
  conditionType: 'AivenFailure' | 'LocalFailure';
  reason: string;
  message: string;
  transient: boolean;
  /** How long to wait before the next pass when transient. */
  retryAfterMs?: number;
}

const permanent = new Set<string>([FailureTypes.InvalidSpec, FailureTypes.SecretNotManaged, FailureTypes.SecretNameConflict, FailureTypes.AivenPermanentError]);
/** Failure types that are their own condition reason (rather than the failing operation). */
const ownReason = new Set<string>([FailureTypes.SecretNameConflict]);
const aiven = new Set<string>([
  FailureTypes.AivenPermanentError,
  FailureTypes.AivenRetryableError,
  FailureTypes.AivenRateLimited,
  FailureTypes.AivenNotFound,
  FailureTypes.AivenAlreadyExists,
]);
/** The reference requeues a missing instance after 100 s. */
const NOT_FOUND_RETRY_MS = 100_000;

export function classifyFailure(err: unknown, step: string): PassFailure {
  const app = findApplicationFailure(err);
  const type = app?.type ?? 'Unknown';
  const details = app?.details?.[0] as { operation?: string; retryAfterMs?: number } | undefined;
  const message = app?.message ?? (err instanceof TemporalFailure ? err.message : String(err));
  return {
    conditionType: aiven.has(type) ? 'AivenFailure' : 'LocalFailure',
    reason: ownReason.has(type) ? type : details?.operation ? capitalize(details.operation) : step,
    message,
    transient: !permanent.has(type),
    retryAfterMs:
      type === FailureTypes.InstanceNotFound || type === FailureTypes.InstanceNotReady
        ? NOT_FOUND_RETRY_MS
        : type === FailureTypes.Superseded
          ? 0 // the new generation is synchronised at once
          : details?.retryAfterMs,
  };
}

function findApplicationFailure(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err;
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure) return current;
    current = current instanceof ActivityFailure || current.cause ? current.cause : undefined;
  }
  return undefined;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Exponential backoff between transient failures of whole passes: 10 s doubling up to 10 min. */
export function passBackoffMs(consecutiveFailures: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, consecutiveFailures - 1), 600_000);
}
