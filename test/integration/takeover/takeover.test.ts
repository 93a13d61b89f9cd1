// Taking over a cluster the Go aivenator ran: the objects exactly as it left
// them (test/integration/takeover/go-fixtures.ts), plus two hand-made variants
// (an OpenSearch Secret in the pre-December-2025 shape, users named with an
// older suffix). Starting Aivenator must change nothing — 0 Aiven writes, 0
// Secret writes, 0 user deletions, every app RolloutComplete with Go's hash —
// through start-up, three drift intervals and a restart. Then drift repairs
// only what is broken.
import * as fs from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { AppController } from '../../../src/controller/controller';
import { AppSignaler } from '../../../src/controller/signaler';
import { jsonPatch } from '../../../src/kube/clients';
import { AivenatorMetrics } from '../../../src/metrics/prometheus';
import { kafkaServiceUserNameWithSuffix, suffix3 } from '../../../src/naming/names';
import type { AivenatorActivities } from '../../../activities/types';
import type { FinishPassSummary } from '../../../src/model/types';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { core, eventsApi, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { histogramQuantile, parseExposition, select, sum } from '../../unit/cli/promql';
import { GoFixtures, loadFixtures, readFixtures } from './go-fixtures';

const DRIFT_MS = 3000;
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** A name from before June 2025, when the suffix came from the generation and the cluster name. */
const oldSuffix = (generation: number) => suffix3(generation, 'dev-gcp');

/** The fixtures with two variants the Go run did not produce. */
function withVariants(fx: GoFixtures): GoFixtures {
  const secret = (ns: string, name: string) => fx.secrets.find((s) => s.metadata!.namespace === ns && s.metadata!.name === name)!;
  // 1. An OpenSearch Secret written by Go before December 2025: no dashboard keys.
  const os = secret('team-4', 'aiven-app-4-opensearch-1');
  for (const key of ['OPEN_SEARCH_DASHBOARD_URI', 'OPEN_SEARCH_DASHBOARD_HOST', 'OPEN_SEARCH_DASHBOARD_PORT']) delete os.data![key];
  // 2. A Kafka and a Valkey user named with the older suffix scheme.
  const renames: [k8s.V1Secret, string, string, string[]][] = [];
  const kafka = secret('team-0', 'aiven-app-0-kafka-1');
  renames.push([kafka, 'kafka', kafkaServiceUserNameWithSuffix('team-0', 'app-0', oldSuffix(1)), ['kafka.aiven.nais.io/serviceUser']]);
  const valkey = secret('team-3', 'aiven-app-8-valkey-cache-1');
  renames.push([valkey, 'valkey-team-3-cache', `app-8-rw-${oldSuffix(1)}`, ['cache.valkey.aiven.nais.io/serviceUser']]);
  for (const [s, service, newName, annotations] of renames) {
    const oldName = s.metadata!.annotations![annotations[0]];
    expect(newName).not.toBe(oldName);
    for (const a of annotations) s.metadata!.annotations![a] = newName;
    for (const [key, value] of Object.entries(s.data!)) if (Buffer.from(value, 'base64').toString() === oldName) s.data![key] = b64(newName);
    fx.users[service] = fx.users[service].map((u) => (u === oldName ? newName : u));
  }
  return fx;
}

interface Fleet {
  aivenator: AivenatorUnderTest;
  controllers: AppController[];
  stop(): Promise<void>;
}

/** What the actors did, counted in the worker (no queries: on a loaded machine 40 queries right after a restart are slow). */
class Progress {
  readonly passes = new Map<string, FinishPassSummary['status'][]>();
  readonly checks = new Map<string, number>();

  wrap = (acts: AivenatorActivities): AivenatorActivities => ({
    ...acts,
    finishPass: async (input) => {
      const summary = await acts.finishPass(input);
      const key = `${input.app.namespace}/${input.app.name}`;
      this.passes.set(key, [...(this.passes.get(key) ?? []), summary.status]);
      return summary;
    },
    checkCredentials: async (input) => {
      const report = await acts.checkCredentials(input);
      const key = `${input.app.namespace}/${input.app.name}`;
      this.checks.set(key, (this.checks.get(key) ?? 0) + 1);
      return report;
    },
  });

  count(what: 'passes' | 'checks', key: string): number {
    return what === 'passes' ? this.passes.get(key)?.length ?? 0 : this.checks.get(key) ?? 0;
  }

  snapshot(what: 'passes' | 'checks', keys: string[]): Map<string, number> {
    return new Map(keys.map((k) => [k, this.count(what, k)]));
  }

  /** Waits until every app has at least `n` more of `what` than in `base`. */
  async waitFor(what: 'passes' | 'checks', keys: string[], n: number, base: Map<string, number>, timeoutMs: number): Promise<void> {
    await eventually(async () => (keys.every((k) => this.count(what, k) >= (base.get(k) ?? 0) + n) ? true : undefined), timeoutMs, `${n} more ${what} of every application`);
  }
}

/** Worker and controllers for the fixtures' namespaces (the test harness watches one namespace per controller). */
async function startFleet(namespaces: string[], metrics: AivenatorMetrics, progress: Progress): Promise<Fleet> {
  const aivenator = await startAivenator({ namespace: namespaces[0], driftIntervalMs: DRIFT_MS, metrics, wrapActivities: progress.wrap });
  const controllers: AppController[] = [];
  for (const namespace of namespaces.slice(1)) {
    const c = new AppController({ kube: aivenator.deps.kube, signaler: new AppSignaler(aivenator.client, aivenator.taskQueue), log: aivenator.deps.log, namespace, restartDelayMs: 200 });
    await c.start();
    controllers.push(c);
  }
  return {
    aivenator,
    controllers,
    async stop() {
      for (const c of controllers) await c.stop();
      await aivenator.stop();
    },
  };
}

function aivenWrites(entries: { method: string }[]): number {
  return entries.filter((e) => e.method !== 'GET').length;
}

describe('taking over from the Go aivenator', () => {
  const fx = withVariants(readFixtures());
  const apps = fx.apps.map((a) => ({ namespace: a.metadata.namespace, name: a.metadata.name }));
  const namespaces = [...new Set(apps.map((a) => a.namespace))];
  const keys = apps.map((a) => `${a.namespace}/${a.name}`);
  const figures: Record<string, unknown> = {};
  let mark = 0;
  let secretsBefore: k8s.V1Secret[] = [];
  let usersBefore: Record<string, string[]> = {};

  const readSecrets = () => Promise.all(fx.secrets.map(async (s) => (await secretOrUndefined(s.metadata!.namespace!, s.metadata!.name!))!));
  const readUsers = async () => Object.fromEntries(await Promise.all(Object.keys(fx.users).map(async (service) =>
    [service, (await fakeAiven().listUsers(fx.project, service)).map((u) => u.username).filter((u) => fx.users[service].includes(u)).sort()] as const)));
  const lastSeq = async () => (await fakeAiven().getRequestLog()).entries.reduce((max, e) => Math.max(max, e.seq), 0);

  beforeAll(async () => {
    await loadFixtures(fx);
    secretsBefore = await readSecrets();
    usersBefore = await readUsers();
    mark = await lastSeq();
  }, 120_000);

  afterAll(() => {
    fs.writeFileSync('/tmp/takeover-figures.json', JSON.stringify(figures, null, 2));
  });

  it('changes nothing through start-up, three drift intervals and a restart', async () => {
    const metrics = new AivenatorMetrics({ defaultMetrics: false });
    let k8sWrites = 0;
    const written = metrics.kubernetesWritten.bind(metrics);
    metrics.kubernetesWritten = (ns, type) => {
      k8sWrites++;
      written(ns, type);
    };
    const scrape0 = parseExposition(await metrics.registry.metrics());
    const started = Date.now();
    const progress = new Progress();
    let fleet = await startFleet(namespaces, metrics, progress);
    try {
      // Taken over: every actor finished its first pass.
      await progress.waitFor('passes', keys, 1, new Map(), 180_000);
      figures.apps = apps.length;
      figures.takeoverMs = Date.now() - started;
      const events = async () => {
        let n = 0;
        for (const namespace of namespaces) {
          n += (await eventsApi.listNamespacedEvent({ namespace })).items.filter((e) => e.reportingController === 'aivenator' && new Date(e.eventTime as unknown as string).getTime() >= started - 1000).length;
        }
        return n;
      };
      figures.kubernetesWritesPerAppAtStart = (k8sWrites + (await events())) / apps.length;

      await progress.waitFor('checks', keys, 3, new Map(), 240_000);

      // A restart of worker and controllers: the actors carry on (their drift checks too); the
      // controllers see converged applications with running actors and leave them alone.
      const passesBefore = progress.snapshot('passes', keys);
      const checksBefore = progress.snapshot('checks', keys);
      await fleet.stop();
      fleet = await startFleet(namespaces, metrics, progress);
      await progress.waitFor('checks', keys, 1, checksBefore, 240_000);
      expect(progress.snapshot('passes', keys)).toEqual(passesBefore);
      figures.kubernetesWritesPerAppOverall = (k8sWrites + (await events())) / apps.length;
      figures.passes = [...progress.passes.values()].reduce((n, p) => n + p.length, 0);
      figures.checks = [...progress.checks.values()].reduce((n, c) => n + c, 0);
      // Every pass found the application up to date.
      expect([...new Set([...progress.passes.values()].flat())]).toEqual(['UpToDate']);
    } finally {
      await fleet.stop();
    }

    // 0 Aiven writes, 0 user deletions.
    const log = (await fakeAiven().getRequestLog(mark)).entries;
    figures.aivenReads = log.length;
    expect(log.filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.path}`)).toEqual([]);
    expect(aivenWrites(log)).toBe(0);
    expect(await readUsers()).toEqual(usersBefore);
    // 0 Secret writes: data and metadata as Go left them, down to the resourceVersion.
    const after = await readSecrets();
    after.forEach((s, i) => {
      expect(s.metadata!.resourceVersion).toBe(secretsBefore[i].metadata!.resourceVersion);
      expect(s.data).toEqual(fx.secrets[i].data);
    });
    // Every app RolloutComplete with the hash Go wrote, Go's condition shape kept.
    for (const app of fx.apps) {
      const now = await getApp(app.metadata.namespace, app.metadata.name);
      expect(now.status).toMatchObject({ synchronizationState: 'RolloutComplete', synchronizationHash: app.status!.synchronizationHash, synchronizedGeneration: 1 });
      expect(now.status!.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual(app.status!.conditions!.map((c) => [c.type, c.status, undefined]));
    }
    // The metrics say the same as Go's would: every reconcile counted, none failed, nothing timed.
    const scrape1 = parseExposition(await metrics.registry.metrics());
    const processed = sum(select(scrape1, 'aivenator_aiven_applications_processed', { synchronization_state: 'RolloutComplete' })) ?? 0;
    // One pass per app at the takeover; the restart left the running actors alone.
    expect(processed).toBe(figures.passes);
    expect(processed).toBeGreaterThanOrEqual(apps.length);
    expect(sum(select(scrape1, 'aivenator_aiven_applications_processed', { synchronization_state: 'RolloutFailed' })) ?? 0).toBe(0);
    expect(histogramQuantile(0.95, select(scrape1, 'aivenator_aiven_application_processing_time_seconds_bucket'))).toBeNaN();
    expect(select(scrape0, 'aivenator_aiven_applications_processed')).toEqual([]);
    figures.processed = processed;
  }, 600_000);

  it('then repairs only what is broken: a lost key in place with the same (older-suffix) user, a deleted user alone', async () => {
    const metrics = new AivenatorMetrics({ defaultMetrics: false });
    const progress = new Progress();
    const fleet = await startFleet(namespaces, metrics, progress);
    try {
      await progress.waitFor('checks', keys, 1, new Map(), 240_000);
      const since = await lastSeq();
      const all = await readSecrets();
      // A key edited away from the Valkey Secret whose user has the older suffix.
      const valkey = (await secretOrUndefined('team-3', 'aiven-app-8-valkey-cache-1'))!;
      await core.patchNamespacedSecret({ namespace: 'team-3', name: 'aiven-app-8-valkey-cache-1', body: [{ op: 'remove', path: '/data/VALKEY_PASSWORD_CACHE' }] }, jsonPatch);
      const repaired = await eventually(async () => {
        const s = (await secretOrUndefined('team-3', 'aiven-app-8-valkey-cache-1'))!;
        return s.data?.VALKEY_PASSWORD_CACHE ? s : undefined;
      }, 60_000, 'the key filled in');
      expect(repaired.metadata!.annotations!['cache.valkey.aiven.nais.io/serviceUser']).toBe(`app-8-rw-${oldSuffix(1)}`);
      expect(repaired.data!.VALKEY_USERNAME_CACHE).toBe(valkey.data!.VALKEY_USERNAME_CACHE);
      // The password Aiven holds for that user (the fixtures' own was issued by another fake).
      const user = await fakeAiven().getUser(fx.project, 'valkey-team-3-cache', `app-8-rw-${oldSuffix(1)}`);
      expect(Buffer.from(repaired.data!.VALKEY_PASSWORD_CACHE, 'base64').toString()).toBe(user!.password);

      // A user deleted in Aiven behind our back: that Secret is synchronised alone.
      const deletedUser = fx.users['valkey-team-3-cache'].find((u) => u.startsWith('app-18-'))!;
      await fakeAiven().deleteUser(fx.project, 'valkey-team-3-cache', deletedUser);
      await eventually(async () => ((await fakeAiven().getUser(fx.project, 'valkey-team-3-cache', deletedUser)) ? true : undefined), 6 * DRIFT_MS, 'the user recreated');

      const log = (await fakeAiven().getRequestLog(since)).entries.filter((e) => e.method !== 'GET');
      expect(log.map((e) => e.operation)).toEqual(['createServiceUser']);
      expect(log[0].path).toContain('valkey-team-3-cache');
      // Every other Secret untouched.
      const touched = new Set(['aiven-app-8-valkey-cache-1', 'aiven-app-18-valkey-cache-1']);
      const now = await readSecrets();
      now.forEach((s, i) => {
        if (!touched.has(s.metadata!.name!)) expect(s.metadata!.resourceVersion).toBe(all[i].metadata!.resourceVersion);
      });
      // No pass ran for the repairs: the apps keep Go's status.
      expect((await getApp('team-3', 'app-8')).status?.synchronizationHash).toBe(fx.apps.find((a) => a.metadata.name === 'app-8')!.status!.synchronizationHash);
    } finally {
      await fleet.stop();
    }
  }, 300_000);
});
