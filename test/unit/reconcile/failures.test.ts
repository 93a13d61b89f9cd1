import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { classifyFailure, passBackoffMs } from '../../../workflows/failures';

function activityFailed(cause: Error): ActivityFailure {
  return new ActivityFailure('activity failed', 'syncKafkaSecret', '1', RetryState.NON_RETRYABLE_FAILURE, undefined, cause);
}

describe('what a failed step means for the application', () => {
  it('an Aiven 4xx is a permanent AivenFailure named after the Aiven operation', () => {
    const failure = classifyFailure(
      activityFailed(ApplicationFailure.create({ type: 'AivenPermanentError', message: 'Aiven createServiceUser failed: HTTP 400', nonRetryable: true, details: [{ operation: 'createServiceUser', status: 400 }] })),
      'SyncKafka',
    );
    expect(failure).toEqual({ conditionType: 'AivenFailure', reason: 'CreateServiceUser', message: 'Aiven createServiceUser failed: HTTP 400', transient: false, retryAfterMs: undefined });
  });

  it('a 429 that outlived its retries is transient', () => {
    const failure = classifyFailure(activityFailed(ApplicationFailure.create({ type: 'AivenRateLimited', message: 'slow down', details: [{ operation: 'getService' }] })), 'SyncValkey');
    expect(failure).toMatchObject({ conditionType: 'AivenFailure', transient: true, reason: 'GetService' });
  });

  it('a missing instance is a transient LocalFailure retried after 100 s, as the reference', () => {
    const failure = classifyFailure(activityFailed(ApplicationFailure.create({ type: 'InstanceNotFound', message: 'no object', nonRetryable: true, details: [{ operation: 'syncOpenSearch' }] })), 'SyncOpensearch');
    expect(failure).toMatchObject({ conditionType: 'LocalFailure', transient: true, retryAfterMs: 100_000, reason: 'SyncOpenSearch' });
  });

  it('invalid specs and foreign Secrets are permanent LocalFailures; unknown failures are transient', () => {
    expect(classifyFailure(activityFailed(ApplicationFailure.create({ type: 'SecretNotManaged', message: 'x', nonRetryable: true })), 'SyncKafka')).toMatchObject({ conditionType: 'LocalFailure', transient: false, reason: 'SyncKafka' });
    expect(classifyFailure(activityFailed(new Error('timeout')), 'SyncKafka')).toMatchObject({ conditionType: 'LocalFailure', transient: true });
  });

  it('a superseded generation hands over to the next pass at once', () => {
    const failure = classifyFailure(activityFailed(ApplicationFailure.create({ type: 'Superseded', message: 'no longer at generation 1', nonRetryable: true })), 'SyncKafka');
    expect(failure).toMatchObject({ transient: true, retryAfterMs: 0 });
  });

  it('backs off whole passes from 10 s doubling to 10 min', () => {
    expect([1, 2, 3, 7, 20].map(passBackoffMs)).toEqual([10_000, 20_000, 40_000, 600_000, 600_000]);
  });
});
