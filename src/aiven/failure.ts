// Maps Aiven client errors onto Temporal ApplicationFailures so activity retries
// follow the error's kind: Temporal is the only retry mechanism for Aiven calls.
import { ApplicationFailure } from '@temporalio/common';
import { AivenApiError, DEFAULT_RATE_LIMIT_DELAY_MS, isAivenApiError } from './errors';

export const AIVEN_FAILURE_TYPES = {
  permanent: 'AivenPermanentError',
  retryable: 'AivenRetryableError',
  'rate-limited': 'AivenRateLimited',
  'not-found': 'AivenNotFound',
  'already-exists': 'AivenAlreadyExists',
} as const satisfies Record<AivenApiError['kind'], string>;

export type AivenFailureType = (typeof AIVEN_FAILURE_TYPES)[keyof typeof AIVEN_FAILURE_TYPES];

/** Details attached to every Aiven ApplicationFailure (no secrets: operation and status only). */
export interface AivenFailureDetails {
  operation: AivenApiError['operation'];
  status?: number;
}

/** An AivenApiError becomes an ApplicationFailure; anything else is returned unchanged. */
export function toTemporalFailure(err: unknown): unknown {
  if (!isAivenApiError(err)) return err;
  const details: AivenFailureDetails[] = [{ operation: err.operation, status: err.status }];
  const common = { message: err.message, type: AIVEN_FAILURE_TYPES[err.kind], details };
  switch (err.kind) {
    case 'permanent':
      return ApplicationFailure.create({ ...common, nonRetryable: true });
    case 'rate-limited':
      // Duration as a number is milliseconds.
      return ApplicationFailure.create({
        ...common,
        nonRetryable: false,
        nextRetryDelay: err.retryAfterMs ?? DEFAULT_RATE_LIMIT_DELAY_MS,
      });
    case 'retryable':
      // A 503 with Retry-After: wait as told; otherwise the activity's retry policy decides.
      return ApplicationFailure.create({
        ...common,
        nonRetryable: false,
        ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
      });
    case 'not-found':
    case 'already-exists':
      return ApplicationFailure.create({ ...common, nonRetryable: false });
  }
}
