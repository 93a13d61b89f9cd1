// A sync attempt that runs after its application moved on (e.g. retried once a
// killed worker's activity timed out) must not create the old generation's user.
import { createActivities } from '../../../activities';
import { FailureTypes } from '../../../src/model/types';
import { kafkaServiceUserName } from '../../../src/naming/names';
import { AivenatorUnderTest, fakeAiven, startAivenator } from '../../env/aivenator';
import { PROGRESS_TEST_TIMEOUT_MS, actorProgress, untilDone } from '../../env/progress';
import { freshNamespace, world } from '../../env/world';
import { createApp, getApp, patchSpec } from './fixtures';

// Waits fail when the actor stops moving (test/env/progress.ts), not on a clock.
jest.setTimeout(PROGRESS_TEST_TIMEOUT_MS);

describe('a superseded sync attempt', () => {
  let aivenator: AivenatorUnderTest;
  afterAll(() => aivenator?.stop());

  it('is refused before any Aiven call', async () => {
    const namespace = await freshNamespace('superseded');
    aivenator = await startAivenator({ namespace });
    const app = await createApp(namespace, 'moving', { kafka: { pool: 'dev-nais-dev', secretName: 'moving-kafka' } });
    await untilDone(async () => ((await getApp(namespace, 'moving')).status?.synchronizedGeneration === 1 ? true : undefined), actorProgress(aivenator.client, namespace, 'moving'), 'generation 1');
    await patchSpec(namespace, 'moving', { kafka: { pool: 'dev-nais-dev', secretName: 'moving-kafka-2' } });
    await untilDone(async () => ((await getApp(namespace, 'moving')).status?.synchronizedGeneration === 2 ? true : undefined), actorProgress(aivenator.client, namespace, 'moving'), 'generation 2');

    // The late attempt of generation 1, after the generation-1 user is gone (the janitor and
    // finalizer may already have removed it with its unused Secret).
    const oldUser = kafkaServiceUserName(namespace, 'moving', 1);
    await fakeAiven().deleteUser(world().aiven.mainProject, 'kafka', oldUser).catch(() => undefined);
    const creates = ((await fakeAiven().getCounters()).byOperation as Record<string, number>).createServiceUser ?? 0;
    const activities = createActivities(aivenator.deps);
    const late = activities.syncKafkaSecret({
      app: { namespace, name: 'moving', uid: app.metadata.uid!, generation: 1 },
      entry: { service: 'kafka', secretName: 'moving-kafka', pool: 'dev-nais-dev' },
      secretContext: { labels: {}, annotations: {} },
    });
    await expect(late).rejects.toMatchObject({ type: FailureTypes.Superseded, nonRetryable: true });
    expect(((await fakeAiven().getCounters()).byOperation as Record<string, number>).createServiceUser ?? 0).toBe(creates);
    expect((await fakeAiven().listUsers(world().aiven.mainProject, 'kafka')).map((u) => u.username)).not.toContain(oldUser);
  });
});
