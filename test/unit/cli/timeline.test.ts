// The audit timeline read from workflow histories: passes counted across
// continue-as-new, users and Secrets from activity results, retries from the
// attempt counters, failures, timers and state changes; and the JSON history
// format round trip used by `replay --save` / `--file`.
import { defaultPayloadConverter } from '@temporalio/common';
import { msNumberToTs, msToTs } from '@temporalio/common/lib/time';
import { historyFromJson, historyToJson } from '../../../src/cli/history-json';
import { buildTimeline, renderTimeline, RunHistory } from '../../../src/cli/timeline';

const p = (v: unknown) => defaultPayloadConverter.toPayload(v)!;
const t0 = Date.parse('2026-03-01T10:00:00Z');
let clock = 0;
const at = () => msNumberToTs(t0 + 1000 * clock++);
/** Event ids as plain numbers (the SDK's type says Long; the timeline only compares them as strings). */
const h = (history: { events: object[] }) => history as unknown as RunHistory['history'];

const snapshot = { namespace: 'team', name: 'app', generation: 1, specHash: 'abc123', missingSecrets: ['app-kafka'], problems: [] };
const kafkaResult = { secretName: 'app-kafka', service: 'kafka', serviceName: 'kafka', project: 'dev-nais-dev', username: 'team_app_01234567_3D_', userCreated: true, secretWrite: 'created', dataHash: 'feedbeef' };

function firstRun(): RunHistory {
  clock = 0;
  return {
    runId: 'run-1-aaaaaaaa',
    history: h({
      events: [
        { eventId: 1, eventTime: at(), workflowExecutionStartedEventAttributes: { input: { payloads: [p({ namespace: 'team', name: 'app' })] } } },
        { eventId: 5, eventTime: at(), workflowExecutionSignaledEventAttributes: { signalName: 'changed', input: { payloads: [p({ reason: 'Created' })] } } },
        { eventId: 10, eventTime: at(), activityTaskScheduledEventAttributes: { activityType: { name: 'loadApplication' }, input: { payloads: [p({ namespace: 'team', name: 'app' })] } } },
        { eventId: 11, eventTime: at(), activityTaskStartedEventAttributes: { scheduledEventId: 10, attempt: 1 } },
        { eventId: 12, eventTime: at(), activityTaskCompletedEventAttributes: { scheduledEventId: 10, result: { payloads: [p(snapshot)] } } },
        { eventId: 20, eventTime: at(), activityTaskScheduledEventAttributes: { activityType: { name: 'syncKafkaSecret' }, input: { payloads: [p({ app: { namespace: 'team', name: 'app' } })] } } },
        { eventId: 21, eventTime: at(), activityTaskStartedEventAttributes: { scheduledEventId: 20, attempt: 3, lastFailure: { message: 'HTTP 503: unavailable', applicationFailureInfo: { type: 'AivenRetryableError' } } } },
        { eventId: 22, eventTime: at(), activityTaskCompletedEventAttributes: { scheduledEventId: 20, result: { payloads: [p(kafkaResult)] } } },
        { eventId: 30, eventTime: at(), activityTaskScheduledEventAttributes: { activityType: { name: 'syncValkeySecret' }, input: { payloads: [p({ app: { namespace: 'team' } })] } } },
        { eventId: 31, eventTime: at(), activityTaskStartedEventAttributes: { scheduledEventId: 30, attempt: 1 } },
        { eventId: 32, eventTime: at(), activityTaskFailedEventAttributes: { scheduledEventId: 30, failure: { message: 'aiven.io valkeys team/valkey-team-cache is REBUILDING, not RUNNING', applicationFailureInfo: { type: 'InstanceNotReady' } } } },
        { eventId: 40, eventTime: at(), activityTaskScheduledEventAttributes: { activityType: { name: 'finishPass' }, input: { payloads: [p({ app: { generation: 1 }, outcome: { kind: 'failed', reason: 'SyncValkey', message: 'not RUNNING', transient: true } })] } } },
        { eventId: 42, eventTime: at(), activityTaskCompletedEventAttributes: { scheduledEventId: 40 } },
        { eventId: 43, eventTime: at(), upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { AivenSyncState: p('RolloutFailed') } } } },
        { eventId: 44, eventTime: at(), timerStartedEventAttributes: { timerId: '1', startToFireTimeout: msToTs('100s') } },
        { eventId: 45, eventTime: at(), timerFiredEventAttributes: { timerId: '1' } },
        { eventId: 50, eventTime: at(), activityTaskScheduledEventAttributes: { activityType: { name: 'loadApplication' } } },
        { eventId: 51, eventTime: at(), activityTaskCompletedEventAttributes: { scheduledEventId: 50, result: { payloads: [p({ ...snapshot, missingSecrets: [] })] } } },
        { eventId: 52, eventTime: at(), activityTaskScheduledEventAttributes: { activityType: { name: 'deleteAivenServiceUser' }, input: { payloads: [p({ user: { handler: 'valkey', project: 'dev-nais-dev', service: 'valkey-team-cache', username: 'app-r-3D_' }, reason: 'compensation' })] } } },
        { eventId: 53, eventTime: at(), activityTaskCompletedEventAttributes: { scheduledEventId: 52, result: { payloads: [p('deleted')] } } },
        { eventId: 60, eventTime: at(), workflowExecutionContinuedAsNewEventAttributes: { newExecutionRunId: 'run-2-bbbbbbbb' } },
      ],
    }),
  };
}

function secondRun(): RunHistory {
  return {
    runId: 'run-2-bbbbbbbb',
    history: h({
      events: [
        { eventId: 1, eventTime: at(), workflowExecutionStartedEventAttributes: { continuedExecutionRunId: 'run-1-aaaaaaaa', input: { payloads: [p({ namespace: 'team', name: 'app', state: { passes: 2 } })] } } },
        { eventId: 2, eventTime: at(), workflowExecutionSignaledEventAttributes: { signalName: 'changed', input: { payloads: [p({ reason: 'ManualRetry' })] } } },
        { eventId: 10, eventTime: at(), activityTaskScheduledEventAttributes: { activityType: { name: 'loadApplication' } } },
        { eventId: 11, eventTime: at(), activityTaskCompletedEventAttributes: { scheduledEventId: 10, result: { payloads: [p(null)] } } },
        { eventId: 12, eventTime: at(), workflowExecutionCompletedEventAttributes: {} },
      ],
    }),
  };
}

describe('buildTimeline', () => {
  const entries = buildTimeline([firstRun(), secondRun()]);
  const texts = entries.map((e) => `${e.pass ?? '-'} ${e.kind} ${e.text}`);

  it('tells the story of each pass with times', () => {
    expect(texts).toEqual([
      '- actor actor started for team/app',
      '- signal signal changed (Created)',
      '1 pass pass 1 started',
      '1 read read generation 1, spec hash abc123, missing Secrets: app-kafka',
      '1 retry syncKafkaSecret: attempt 3 after 2 failed attempt(s), last: [AivenRetryableError] HTTP 503: unavailable',
      '1 user created kafka user team_app_01234567_3D_ in dev-nais-dev/kafka',
      '1 secret Secret team/app-kafka created (data hash feedbeef)',
      '1 failure syncValkeySecret failed after 1 attempt(s): [InstanceNotReady] aiven.io valkeys team/valkey-team-cache is REBUILDING, not RUNNING',
      '1 status status written: RolloutFailed, SyncValkey: not RUNNING (will retry)',
      '1 state AivenSyncState=RolloutFailed',
      '1 timer waiting 100s for the next pass (until 2026-03-01T10:01:54.000Z) unless a change arrives',
      '1 timer timer fired: pass due (retry or expiry)',
      '2 pass pass 2 started',
      '2 read read generation 1, spec hash abc123',
      '2 user deleted valkey user app-r-3D_ in dev-nais-dev/valkey-team-cache (compensation)',
      '- actor actor continued as new in run run-2-bb',
      '- actor actor continued as new from run run-1-aa',
      '- signal signal changed (ManualRetry)',
      '3 pass pass 3 started',
      '3 read application not found: it was deleted',
      '- actor actor finished (the application is gone or expired)',
    ]);
    expect(entries[0].time).toBe('2026-03-01T10:00:00.000Z');
    expect(entries.every((e) => e.runId.startsWith('run-'))).toBe(true);
  });

  it('renders one line per entry', () => {
    const lines = renderTimeline(entries).split('\n');
    expect(lines[2]).toBe('2026-03-01 10:00:02Z  pass 1    pass 1 started');
    expect(lines).toHaveLength(entries.length);
  });
});

/** A local activity's marker as the SDK records it: type and attempt in `data`, the result in `result`. */
function localActivity(eventId: number, type: string, attempt: number, result: unknown, failure?: object): object {
  return {
    eventId,
    eventTime: at(),
    markerRecordedEventAttributes: {
      markerName: 'core_local_activity',
      details: { data: { payloads: [p({ seq: eventId, attempt, activity_id: String(eventId), activity_type: type })] }, ...(failure ? {} : { result: { payloads: [p(result)] } }) },
      ...(failure ? { failure } : {}),
    },
  };
}

describe('buildTimeline with the Kubernetes steps as local activities', () => {
  clock = 0;
  const run: RunHistory = {
    runId: 'run-3-cccccccc',
    history: h({
      events: [
        { eventId: 1, eventTime: at(), workflowExecutionStartedEventAttributes: { input: { payloads: [p({ namespace: 'team', name: 'app' })] } } },
        { eventId: 5, eventTime: at(), markerRecordedEventAttributes: { markerName: 'core_patch', details: {} } },
        localActivity(6, 'loadApplication', 1, snapshot),
        { eventId: 7, eventTime: at(), activityTaskScheduledEventAttributes: { activityType: { name: 'syncKafkaSecret' }, input: { payloads: [p({ app: { namespace: 'team', name: 'app' } })] } } },
        { eventId: 9, eventTime: at(), activityTaskCompletedEventAttributes: { scheduledEventId: 7, result: { payloads: [p(kafkaResult)] } } },
        localActivity(13, 'finishPass', 2, { status: 'RolloutComplete', generation: 1, syncReason: 'MissingSecret', secrets: 1 }),
        localActivity(14, 'janitorSweep', 1, { scope: 'app', deleted: ['old-kafka'], deletedCount: 1, kept: { in_use: 1 } }),
        localActivity(20, 'loadApplication', 5, undefined, { message: 'apiserver unavailable', applicationFailureInfo: { type: 'KubernetesError' } }),
        localActivity(21, 'finishPass', 1, { status: 'RolloutFailed', generation: 1, reason: 'ReadApplication', message: 'apiserver unavailable', transient: true }),
      ],
    }),
  };

  it('reads passes, retries, failures and status writes from the markers', () => {
    expect(buildTimeline([run]).map((e) => `${e.pass ?? '-'} ${e.kind} ${e.text}`)).toEqual([
      '- actor actor started for team/app',
      '1 pass pass 1 started',
      '1 read read generation 1, spec hash abc123, missing Secrets: app-kafka',
      '1 user created kafka user team_app_01234567_3D_ in dev-nais-dev/kafka',
      '1 secret Secret team/app-kafka created (data hash feedbeef)',
      '1 retry finishPass: attempt 2 after 1 failed attempt(s)',
      '1 status status written: RolloutComplete for generation 1 (MissingSecret, 1 Secret(s))',
      '1 secret janitor: 1 unused Secret(s) deleted (old-kafka); kept 1 in_use',
      '2 pass pass 2 started',
      '2 failure loadApplication failed after 5 attempt(s): [KubernetesError] apiserver unavailable',
      '2 status status written: RolloutFailed, ReadApplication: apiserver unavailable (will retry)',
    ]);
  });
});

describe('history JSON', () => {
  it('round-trips through the format Temporal tools write', () => {
    const { history } = firstRun();
    const json = historyToJson(history);
    const events = (json as { events: { eventId: string; eventTime: string }[] }).events;
    expect(events[0].eventId).toBe('1');
    expect(events[0].eventTime).toBe('2026-03-01T10:00:00Z');
    const back = historyFromJson(JSON.parse(JSON.stringify(json)));
    expect(buildTimeline([{ runId: 'r', history: back }]).map((e) => e.text)).toEqual(buildTimeline([{ runId: 'r', history }]).map((e) => e.text));
  });

  it('refuses what is not a history', () => {
    expect(() => historyFromJson({ nope: true })).toThrow(/array of events/);
  });
});
