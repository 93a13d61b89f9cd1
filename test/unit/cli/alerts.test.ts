// The Go aivenator chart's four alerts (charts/aivenator/templates/prometheusrule.yaml
// in nais/aivenator), evaluated over two scrapes of our /metrics text: they must
// keep their meaning after a switch-over.
import { AivenatorMetrics } from '../../../src/metrics/prometheus';
import { Sample, histogramQuantile, parseExposition, rate, select, sum } from './promql';

const WINDOW = 300; // seconds between the two scrapes: rate()'s window here

/** The four expressions, as written in the chart (mainProject dev-nais-dev, serviceUserLimit 50). */
const alerts = {
  // histogram_quantile(0.95, sum(rate(aivenator_aiven_application_processing_time_seconds_bucket[5m])) by (le)) > 20
  AivenatorIsSlow: (a: Sample[], b: Sample[]) =>
    histogramQuantile(0.95, rate(a, b, 'aivenator_aiven_application_processing_time_seconds_bucket', {}, WINDOW)) > 20,
  // sum(rate(aivenator_aiven_applications_processed{synchronization_state="RolloutFailed"}[5m])) > 0
  AivenatorIsFailingSomeRollouts: (a: Sample[], b: Sample[]) =>
    (sum(rate(a, b, 'aivenator_aiven_applications_processed', { synchronization_state: 'RolloutFailed' }, WINDOW)) ?? 0) > 0,
  // sum(rate(aivenator_aiven_applications_processed{synchronization_state="RolloutFailed"}[30m])) / sum(rate(aivenator_aiven_applications_processed[30m])) > 0.5
  AivenatorIsFailing: (a: Sample[], b: Sample[]) => {
    const failed = sum(rate(a, b, 'aivenator_aiven_applications_processed', { synchronization_state: 'RolloutFailed' }, WINDOW)) ?? 0;
    const all = sum(rate(a, b, 'aivenator_aiven_applications_processed', {}, WINDOW));
    return all !== undefined && all > 0 && failed / all > 0.5;
  },
  // sum(aivenator_service_users_count{pool="dev-nais-dev"}) >= (50 * 0.9)
  AivenServiceUserLimit: (_a: Sample[], b: Sample[]) => (sum(select(b, 'aivenator_service_users_count', { pool: 'dev-nais-dev' })) ?? 0) >= 50 * 0.9,
};

function firing(a: Sample[], b: Sample[]): string[] {
  return Object.entries(alerts).filter(([, expr]) => expr(a, b)).map(([name]) => name);
}

async function scrape(m: AivenatorMetrics): Promise<Sample[]> {
  return parseExposition(await m.registry.metrics());
}

describe("the Go aivenator chart's alerts over our metrics", () => {
  it('every metric and label the expressions read exists, with the right type', async () => {
    const m = new AivenatorMetrics({ defaultMetrics: false });
    const text = await m.registry.metrics();
    expect(text).toContain('# TYPE aivenator_aiven_application_processing_time_seconds histogram');
    expect(text).toContain('# TYPE aivenator_aiven_applications_processed counter');
    expect(text).toContain('# TYPE aivenator_service_users_count gauge');
    const labelsOf = (metric: { get(): Promise<{ values: { labels: object }[] }> }) => metric.get();
    m.applicationProcessed('RolloutFailed');
    m.passFinished('RolloutFailed', 'x', 1);
    expect(Object.keys((await labelsOf(m.processed)).values[0].labels)).toEqual(['synchronization_state']);
    expect(Object.keys((await labelsOf(m.processingTime)).values[0].labels).sort()).toEqual(['le', 'synchronization_state']);
  });

  it('a takeover of 40 healthy apps with one app failing fires only AivenatorIsFailingSomeRollouts, as with Go', async () => {
    const m = new AivenatorMetrics({ defaultMetrics: false });
    const before = await scrape(m);
    // Every reconcile counts, up to date or not (Go: every reconcile); only passes that work are timed.
    for (let i = 0; i < 40; i++) m.applicationProcessed('RolloutComplete');
    for (let i = 0; i < 3; i++) {
      m.passFinished('RolloutFailed', 'PoolNotAllowed', 0.2);
      m.applicationProcessed('RolloutFailed');
    }
    const after = await scrape(m);
    expect(firing(before, after)).toEqual(['AivenatorIsFailingSomeRollouts']);
  });

  it('fires AivenatorIsFailing when most reconciles fail, and AivenatorIsSlow when passes take over 20 s', async () => {
    const m = new AivenatorMetrics({ defaultMetrics: false });
    const before = await scrape(m);
    for (let i = 0; i < 10; i++) {
      m.passFinished('RolloutFailed', 'CreateServiceUser', 25);
      m.applicationProcessed('RolloutFailed');
    }
    m.applicationProcessed('RolloutComplete');
    const after = await scrape(m);
    expect(firing(before, after).sort()).toEqual(['AivenatorIsFailing', 'AivenatorIsFailingSomeRollouts', 'AivenatorIsSlow']);
  });

  it("AivenServiceUserLimit sums the pool's Kafka users only, not every service in the project", async () => {
    const kafkaUsers = Array.from({ length: 44 }, (_, i) => `team_app${i}_0a1b2c3d_abc`).concat('avnadmin');
    const users: Record<string, string[]> = {
      'dev-nais-dev/kafka': kafkaUsers,
      'dev-nais-dev/opensearch-team-logs': Array.from({ length: 30 }, (_, i) => `team-r-${i}`),
      'dev-nais-dev/valkey-team-cache': Array.from({ length: 30 }, (_, i) => `app-rw-${i}`),
    };
    const m = new AivenatorMetrics({ defaultMetrics: false, listServiceUsers: async (p, s) => users[`${p}/${s}`] ?? [] });
    await m.countUsers('dev-nais-dev/kafka');
    await m.countUsers('dev-nais-dev/opensearch-team-logs');
    await m.countUsers('dev-nais-dev/valkey-team-cache');
    expect(alerts.AivenServiceUserLimit([], await scrape(m))).toBe(true); // 45 of 50
    users['dev-nais-dev/kafka'] = kafkaUsers.slice(0, 30);
    await m.countUsers('dev-nais-dev/kafka');
    // 31 Kafka users: quiet, although the project holds 91 users in all (a `service` label would have summed them).
    expect(alerts.AivenServiceUserLimit([], await scrape(m))).toBe(false);
    m.stop();
  });
});
