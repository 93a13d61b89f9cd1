// A fleet-wide Aiven rate limit: two workers share the Aiven task queue's
// limit, and the fake Aiven never sees more calls per second than allowed.
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { AivenatorUnderTest, fakeAiven, startAivenator } from '../../env/aivenator';
import { PROGRESS_TEST_TIMEOUT_MS, untilDone } from '../../env/progress';
import { freshNamespace, world } from '../../env/world';
import { createAivenatorWorker, AIVEN_CALLS_PER_ACTIVITY } from '../../../worker/worker';
import { AIVENAPP, AivenApplication } from '../../../src/kube/aivenapp-types';
import { createApp, custom } from '../reconcile/fixtures';

const LIMIT = 20;
const APPS = 100;

/** The most requests that arrived within any one second. */
function peakPerSecond(times: number[]): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= 1000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

describe('the fleet-wide Aiven rate limit', () => {
  let namespace: string;
  let aivenator: AivenatorUnderTest;

  afterAll(() => aivenator?.stop());

  it(`keeps ${APPS} converging applications under ${LIMIT} Aiven calls per second across two workers`, async () => {
    namespace = await freshNamespace('rate');
    aivenator = await startAivenator({ namespace, aivenCallsPerSecond: LIMIT });
    // A second worker process would do the same: its own connection, the same queues and limit.
    const connection = await NativeConnection.connect({ address: world().temporal.address });
    const second = await createAivenatorWorker({
      connection, namespace: world().temporal.namespace, taskQueue: aivenator.taskQueue,
      activities: createActivities(aivenator.deps), workflowBundle: { codePath: world().workflowBundlePath },
      shutdownGraceTime: '1s', aivenCallsPerSecond: LIMIT,
    });
    const secondRun = second.run();
    try {
      const since = (await fakeAiven().getRequestLog()).entries.at(-1)?.seq ?? 0;
      const started = Date.now();
      await Promise.all(Array.from({ length: APPS }, (_, i) => createApp(namespace, `app-${i}`, { kafka: { pool: 'dev-nais-dev', secretName: `app-${i}-kafka` } })));
      // No fixed deadline: fails only when neither convergence nor Aiven calls move for a long time.
      const convergedCount = async () => {
        const list = (await custom.listNamespacedCustomObject({ ...AIVENAPP, namespace })) as { items: AivenApplication[] };
        return list.items.filter((a) => a.status?.synchronizationState === 'RolloutComplete').length;
      };
      await untilDone(
        async () => ((await convergedCount()) === APPS ? true : undefined),
        async () => [await convergedCount(), (await fakeAiven().getCounters()).total],
        'all applications converged',
      );
      const elapsedS = (Date.now() - started) / 1000;

      const entries = (await fakeAiven().getRequestLog(since)).entries.filter((e) => e.operation !== null);
      const times = entries.map((e) => Date.parse(e.time)).sort((a, b) => a - b);
      expect(entries.filter((e) => e.operation === 'createServiceUser')).toHaveLength(APPS);
      const peak = peakPerSecond(times);
      process.stdout.write(`rate limit ${LIMIT}/s: ${entries.length} Aiven calls in ${elapsedS.toFixed(1)} s, peak ${peak} in one second\n`);
      expect(peak).toBeLessThanOrEqual(LIMIT);
      // The limit really held the fleet back: 100 sync activities at LIMIT / AIVEN_CALLS_PER_ACTIVITY per second.
      expect(elapsedS).toBeGreaterThanOrEqual((0.8 * APPS) / (LIMIT / AIVEN_CALLS_PER_ACTIVITY));
    } finally {
      second.shutdown();
      await secondRun;
      await connection.close();
    }
  }, PROGRESS_TEST_TIMEOUT_MS);
});
