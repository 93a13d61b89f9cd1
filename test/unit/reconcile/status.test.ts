import { failureSummary, nextStatus, rfc3339, setCondition } from '../../../src/kube/status';

const now = new Date('2026-11-27T10:11:12.345Z');

describe('status as the reference writes it', () => {
  it('sets hash, state, generations, time and the three success conditions on a sync', () => {
    const status = nextStatus({ current: undefined, generation: 3, specHash: 'abc', deprecatedSecretName: false, now, outcome: { kind: 'synced', syncReason: 'HashChanged', results: [] } });
    expect(status).toMatchObject({ synchronizationHash: 'abc', synchronizationState: 'RolloutComplete', synchronizedGeneration: 3, observedGeneration: 3, synchronizationTime: '2026-11-27T10:11:12Z' });
    // Exactly as Go writes them: no reason, no message.
    expect(status.conditions).toEqual([
      { type: 'Succeeded', status: 'True', lastUpdateTime: '2026-11-27T10:11:12Z' },
      { type: 'AivenFailure', status: 'False', lastUpdateTime: '2026-11-27T10:11:12Z' },
      { type: 'LocalFailure', status: 'False', lastUpdateTime: '2026-11-27T10:11:12Z' },
    ]);
  });

  it('a failure replaces the condition of its type, removes Succeeded and keeps the last synced hash', () => {
    const synced = nextStatus({ current: undefined, generation: 1, specHash: 'abc', deprecatedSecretName: false, now, outcome: { kind: 'synced', syncReason: 'HashChanged', results: [] } });
    const failed = nextStatus({ current: synced, generation: 2, specHash: 'def', deprecatedSecretName: false, now, outcome: { kind: 'failed', conditionType: 'AivenFailure', reason: 'CreateServiceUser', message: 'boom', transient: true } });
    expect(failed.synchronizationHash).toBeUndefined(); // a merge patch leaves the stored hash as it was
    expect(failed.synchronizationState).toBe('RolloutFailed');
    expect(failed.observedGeneration).toBe(2);
    const byType = Object.fromEntries(failed.conditions!.map((c) => [c.type, c]));
    expect(byType.Succeeded).toBeUndefined();
    expect(byType.AivenFailure).toMatchObject({ status: 'True', reason: 'CreateServiceUser', message: 'operation CreateServiceUser failed in Aiven: boom (will retry)' });
    expect(byType.LocalFailure.status).toBe('False');
  });

  it('uses the Go operation name as the reason of a local failure and keeps ours in the message', () => {
    const failed = nextStatus({ current: undefined, generation: 1, specHash: 'abc', deprecatedSecretName: false, now, outcome: { kind: 'failed', conditionType: 'LocalFailure', reason: 'PoolNotAllowed', message: 'pool "x" is not allowed', transient: false } });
    expect(failed.conditions).toEqual([expect.objectContaining({ type: 'LocalFailure', status: 'True', reason: 'CreateSecret', message: 'operation CreateSecret failed: PoolNotAllowed: pool "x" is not allowed' })]);
  });

  it('reads our reason and detail back for people (aivenator status)', () => {
    const local = nextStatus({ current: undefined, generation: 1, specHash: 'a', deprecatedSecretName: false, now, outcome: { kind: 'failed', conditionType: 'LocalFailure', reason: 'SyncValkey', message: 'not RUNNING', transient: true } });
    expect(failureSummary(local.conditions![0])).toBe('SyncValkey: not RUNNING (will retry)');
    const aiven = nextStatus({ current: undefined, generation: 1, specHash: 'a', deprecatedSecretName: false, now, outcome: { kind: 'failed', conditionType: 'AivenFailure', reason: 'CreateServiceUser', message: 'too long', transient: false } });
    expect(failureSummary(aiven.conditions![0])).toBe('CreateServiceUser: too long');
    expect(failureSummary({ type: 'LocalFailure', reason: 'CreateSecret', message: 'operation CreateSecret failed: boom' })).toBe('boom');
    expect(failureSummary({ type: 'LocalFailure', reason: 'Other', message: 'text' })).toBe('Other: text');
  });

  it('marks a deprecated top-level secretName', () => {
    const status = nextStatus({ current: undefined, generation: 1, specHash: 'abc', deprecatedSecretName: true, now, outcome: { kind: 'up-to-date' } });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'Deprecated', status: 'True', reason: 'DeprecatedField' })]);
    expect(status.synchronizationState).toBeUndefined();
  });

  it('setCondition keeps Succeeded when a False failure condition is set', () => {
    const conditions = setCondition([{ type: 'Succeeded', status: 'True' }], { type: 'LocalFailure', status: 'False' });
    expect(conditions.map((c) => c.type)).toEqual(['Succeeded', 'LocalFailure']);
  });

  it('formats time like Go time.RFC3339', () => {
    expect(rfc3339(now)).toBe('2026-11-27T10:11:12Z');
  });
});
