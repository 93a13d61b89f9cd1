// No hijack: a Secret managed for another application becomes a permanent
// LocalFailure whose condition reason is SecretNameConflict.
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { SecretNameConflictError, toActivityFailure } from '../../../activities/failures';
import { FailureTypes } from '../../../src/model/types';
import { classifyFailure } from '../../../workflows/failures';

describe('SecretNameConflict', () => {
  it('is a non-retryable failure of its own type', () => {
    const failure = toActivityFailure(new SecretNameConflictError('Secret x is managed by Aivenator for application a, not for b'), 'syncKafka');
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: FailureTypes.SecretNameConflict, nonRetryable: true });
  });

  it('sets a permanent condition named SecretNameConflict, not after the operation', () => {
    const cause = toActivityFailure(new SecretNameConflictError('taken'), 'syncKafka') as ApplicationFailure;
    const failed = new ActivityFailure('activity failed', 'syncKafkaSecret', '1', RetryState.NON_RETRYABLE_FAILURE, undefined, cause);
    expect(classifyFailure(failed, 'SyncKafka')).toEqual({ conditionType: 'LocalFailure', reason: 'SecretNameConflict', message: 'taken', transient: false, retryAfterMs: undefined });
  });
});
