// Turns what an activity ran into into a Temporal failure with a type the
// workflow understands (activities/types.ts FailureTypes). Messages are safe
// to show: the Aiven client already scrubs its errors, Kubernetes errors keep
// only the Status message.
import { ApplicationFailure } from '@temporalio/common';
import { isAivenApiError } from '../src/aiven/errors';
import { toTemporalFailure } from '../src/aiven/failure';
import { InstanceNotFoundError, InstanceNotReadyError } from '../src/kube/aiven-instances';
import { describeKubeError, isKubeError } from '../src/kube/clients';
import { SecretNotManagedError } from '../src/kube/secrets';
import { MetricsHooks } from '../src/metrics/hooks';
import { FailureTypes } from '../src/model/types';

/** The pass this activity belongs to is for a generation the application has left behind. */
export class SupersededError extends Error {
  override name = 'SupersededError';
}

/** A spec Aivenator cannot act on: only a change of the application helps. */
export class InvalidSpecError extends Error {
  override name = 'InvalidSpecError';
}

/** The Secret is managed for another application: never written for this one. */
export class SecretNameConflictError extends Error {
  override name = 'SecretNameConflictError';
}

export function toActivityFailure(err: unknown, operation: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (isAivenApiError(err)) return toTemporalFailure(err);
  const details = [{ operation }];
  const fail = (type: string, message: string, nonRetryable: boolean) => ApplicationFailure.create({ type, message, nonRetryable, details });
  if (err instanceof InvalidSpecError) return fail(FailureTypes.InvalidSpec, err.message, true);
  if (err instanceof SupersededError) return fail(FailureTypes.Superseded, err.message, true);
  if (err instanceof SecretNameConflictError) return fail(FailureTypes.SecretNameConflict, err.message, true);
  if (err instanceof SecretNotManagedError) return fail(FailureTypes.SecretNotManaged, err.message, true);
  if (err instanceof InstanceNotFoundError) return fail(FailureTypes.InstanceNotFound, err.message, true);
  if (err instanceof InstanceNotReadyError) return fail(FailureTypes.InstanceNotReady, err.message, true);
  if (isKubeError(err)) {
    // An object the apiserver refuses as invalid will be refused again.
    const invalid = err.code === 400 || err.code === 422;
    return fail(invalid ? FailureTypes.InvalidSpec : FailureTypes.KubernetesError, describeKubeError(err), invalid);
  }
  return fail('InternalError', err instanceof Error ? err.message : String(err), false);
}

/** Runs a handler's sync activity: converts its errors and times it. */
export async function handlerActivity<T>(deps: { metrics?: MetricsHooks }, handler: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await withFailures(`sync${handler[0].toUpperCase()}${handler.slice(1)}`, run);
  } finally {
    deps.metrics?.handlerFinished(handler, (Date.now() - started) / 1000);
  }
}

/** Runs an activity body, converting its errors. */
export async function withFailures<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toActivityFailure(err, operation);
  }
}
