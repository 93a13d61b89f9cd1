// The three chaos scenarios. Each sets up its own namespace, Aivenator
// processes (worker and controller, `node dist/src/cli/main.js`) and, where
// it changes them, its own servers, so they can run at the same time:
//  - kills:    the worker is SIGKILLed at random moments while applications
//              converge (some get a new generation meanwhile);
//  - restarts: the test's own Temporal server (file-backed) and kube-apiserver
//              go down and come back; applications created or changed while
//              Temporal is down or right after the apiserver came back;
//  - faults:   the test's own fake Aiven answers 30% 5xx and bursts of 429.
// Each ends with the same checks: every application converged at its
// generation, every Secret carries its Aiven user's credentials, no Aiven user
// is left that no Secret references, no user was created twice.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { FakeAivenControl, RunningFakeAiven, startFakeAiven } from '../../src/fake-aiven';
import { AIVENAPP } from '../../src/kube/aivenapp-types';
import { janitorScheduleId } from '../../src/runtime/janitor-schedule';
import { mulberry32 } from '../../src/seeded-random';
import { fakeAiven } from '../env/aivenator';
import { historyText } from '../env/history';
import { AivenatorProcess, Targets, artifactsDir, worldTargets } from '../env/processes';
import { startRestartableKube, startRestartableTemporal } from '../env/private-servers';
import { world } from '../env/world';
import {
  Kube, allConverged, appName, chaosSpec, checkSecrets, createdTwice, createdUsers, logMark, progress, randomBetween, requestsSince, unreferencedUsers, usersOf,
} from './fixtures';
import { report, sizes, timeouts } from './scenario';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** The numbers a scenario reports, and the problems its checks found (empty when it passed). */
export interface ScenarioResult {
  figures: string[];
  problems: string[];
}

class Run {
  readonly figures: string[] = [];
  readonly problems: string[] = [];
  readonly started = Date.now();
  constructor(readonly name: string) {}

  say(line: string): void {
    this.figures.push(line);
    report(`[${this.name}] ${line}`);
  }

  at(): string {
    return seconds(Date.now() - this.started);
  }

  check(what: string, problems: string[]): void {
    for (const p of problems) this.problems.push(`${what}: ${p}`);
  }

  result(): ScenarioResult {
    return { figures: this.figures, problems: this.problems };
  }
}

/** Applications of the chaos mix, created and changed, with the generation each should end at. */
class Apps {
  readonly generations = new Map<number, number>();
  private next = 0;
  constructor(private readonly kube: Kube, private readonly namespace: string) {}

  get count(): number {
    return this.next;
  }

  async create(n: number): Promise<void> {
    const indexes = Array.from({ length: n }, () => this.next++);
    await Promise.all(indexes.map(async (i) => {
      await this.kube.createApp(this.namespace, appName(i), chaosSpec(i));
      this.generations.set(i, 1);
    }));
  }

  /** A second generation (Secrets renamed, access changed) for the given apps still at their first. */
  async change(indexes: number[]): Promise<number> {
    const todo = indexes.filter((i) => this.generations.get(i) === 1);
    await Promise.all(todo.map(async (i) => {
      await this.kube.patchApp(this.namespace, appName(i), chaosSpec(i, 2));
      this.generations.set(i, 2);
    }));
    return todo.length;
  }

  firstGeneration(): number[] {
    return [...this.generations].filter(([, g]) => g === 1).map(([i]) => i);
  }

  changed(): number {
    return [...this.generations.values()].filter((g) => g === 2).length;
  }
}

/** The checks every scenario ends with. */
async function verify(run: Run, opts: { kube: Kube; namespace: string; apps: Apps; services: string[]; control: FakeAivenControl; mark: number }): Promise<void> {
  const { kube, namespace, apps, services, control } = opts;
  const wrong = (await kube.apps(namespace))
    .filter((a) => a.status?.synchronizedGeneration !== apps.generations.get(Number(a.metadata.name.slice(4))))
    .map((a) => `${a.metadata.name} at generation ${a.status?.synchronizedGeneration}, expected ${apps.generations.get(Number(a.metadata.name.slice(4)))}`);
  run.check('generation', wrong);
  const consistency = await checkSecrets(kube, namespace, control);
  run.check('Secret', consistency.problems);
  // Compensation, the per-app janitor and the Secret finalizer get time to release what is no longer referenced.
  const cleanupStarted = Date.now();
  let orphans: string[] = [];
  for (;;) {
    orphans = await unreferencedUsers(kube, namespace, services, control);
    if (orphans.length === 0 || Date.now() - cleanupStarted > 120_000) break;
    await sleep(2000);
  }
  run.check('unreferenced Aiven user', orphans);
  const entries = await requestsSince(opts.mark, control);
  const ours = usersOf(namespace, services);
  run.check('created more than once', createdTwice(entries, ours));
  run.say(`${consistency.secrets} Secrets consistent with their users; unreferenced users gone ${seconds(Date.now() - cleanupStarted)} after convergence; ${createdUsers(entries, ours)} users created, each once; ${entries.length} Aiven requests`);
}

function processes(name: string, taskQueue: string, targets: Targets, watchNamespace?: string) {
  const dir = artifactsDir('processes');
  return {
    controller: new AivenatorProcess({ mode: 'controller', name: `${name}-controller`, taskQueue, targets, watchNamespace, dir }),
    worker: new AivenatorProcess({ mode: 'worker', name: `${name}-worker`, taskQueue, targets, dir }),
  };
}

function processFigures(run: Run, worker: AivenatorProcess, controller: AivenatorProcess): void {
  run.say(`worker started ${worker.startCount} times (${worker.crashes.length} crashes${worker.crashes.map((c) => `: exit ${c.code}`).join('')}), controller ${controller.startCount} times (${controller.crashes.length} crashes)`);
}

async function deleteJanitorSchedule(address: string, namespace: string, taskQueue: string, watchNamespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  await new Client({ connection, namespace }).schedule.getHandle(janitorScheduleId(taskQueue, watchNamespace)).delete().catch(() => undefined);
  await connection.close();
}

/** The worker is SIGKILLed `sizes.kills` times while `sizes.killApps` applications converge. */
export async function killScenario(): Promise<ScenarioResult> {
  const run = new Run('kills');
  const kube = Kube.shared();
  const namespace = `chaos-kill-${Date.now().toString(36)}`;
  const taskQueue = `aivenator-${namespace}`;
  const rng = mulberry32(sizes.seed);
  await kube.namespace(namespace);
  const services = [await kube.instance(namespace, 'valkeys', 'cache'), await kube.instance(namespace, 'opensearches', 'logs')];
  const mark = await logMark();
  const { worker, controller } = processes(namespace, taskQueue, worldTargets(), namespace);
  try {
    await Promise.all([controller.start(), worker.start()]);
    await Promise.all([controller.ready(), worker.ready()]);
    run.say(`${sizes.killApps} apps, ${sizes.kills} SIGKILLs of the worker, seed ${sizes.seed} (AIVENATOR_CHAOS_SEED=${sizes.seed} repeats the schedule)`);
    const apps = new Apps(kube, namespace);
    const perWave = Math.ceil(sizes.killApps / (sizes.kills + 1));
    for (let k = 0; k < sizes.kills; k++) {
      await apps.create(Math.min(perWave, sizes.killApps - apps.count));
      // A new generation for about one app in four of the earlier waves, while the worker keeps dying.
      await apps.change(apps.firstGeneration().filter((i) => i < k * perWave && rng() < 0.25));
      await sleep(randomBetween(sizes.killMinS, sizes.killMaxS, rng) * 1000);
      const state = await progress(kube, namespace);
      const exit = await worker.kill();
      run.say(`kill ${k + 1} at ${run.at()}: pid ${exit?.pid}, ${state.converged}/${apps.count} converged`);
      // Started again, as a Deployment's replacement pod would be (a little later).
      await sleep(randomBetween(0, 1500, rng));
      await worker.start();
    }
    await apps.create(sizes.killApps - apps.count);
    const lastKill = Date.now();
    const took = await allConverged(kube, namespace, sizes.killApps, timeouts.converge, (l) => report(`[kills] ${l}`));
    run.say(`all ${sizes.killApps} apps converged ${seconds(took)} after the last kill, ${run.at()} after the first app (${apps.changed()} got a second generation mid-run)`);
    await verify(run, { kube, namespace, apps, services, control: fakeAiven(), mark });
    run.check('worker crash', worker.crashes.map((c) => `exit ${c.code}`));
    run.check('controller crash', controller.crashes.map((c) => `exit ${c.code}`));
    void lastKill;
  } finally {
    await controller.stop();
    await worker.stop();
    processFigures(run, worker, controller);
    await deleteJanitorSchedule(world().temporal.address, world().temporal.namespace, taskQueue, namespace);
  }
  return run.result();
}

/** The test's own Temporal server and kube-apiserver go down and come back `sizes.restarts` times. */
export async function restartScenario(): Promise<ScenarioResult> {
  const run = new Run('restarts');
  const namespace = `chaos-rst-${Date.now().toString(36)}`;
  const taskQueue = `aivenator-${namespace}`;
  const dir = artifactsDir(namespace);
  const [temporal, apiserver] = await Promise.all([startRestartableTemporal(path.join(dir, 'temporal')), startRestartableKube(path.join(dir, 'kube'))]);
  run.say(`own Temporal (SQLite ${path.relative(world().dir, temporal.dbFile)}) and kube-apiserver up at ${run.at()}`);
  const kube = Kube.of(apiserver.server, apiserver.adminToken);
  const targets: Targets = { temporal: { address: temporal.address, namespace: temporal.namespace }, kube: { server: apiserver.server, adminToken: apiserver.adminToken }, aiven: world().aiven };
  const { worker, controller } = processes(namespace, taskQueue, targets);
  try {
    await kube.namespace(namespace);
    const services = [await kube.instance(namespace, 'valkeys', 'cache'), await kube.instance(namespace, 'opensearches', 'logs')];
    const mark = await logMark();
    await Promise.all([controller.start(), worker.start()]);
    await Promise.all([controller.ready(), worker.ready()]);
    const apps = new Apps(kube, namespace);
    const n = sizes.restartApps;
    for (let round = 1; round <= sizes.restarts; round++) {
      await apps.create(n);
      await sleep(3000);
      const before = await progress(kube, namespace);
      // Temporal down: the controller's signals fail (its work queue retries them), the worker's polls fail.
      await temporal.down();
      run.say(`round ${round}: Temporal down at ${run.at()} (${before.converged}/${before.total} converged)`);
      await apps.create(n);
      const changed = await apps.change(apps.firstGeneration().slice(0, Math.ceil(n / 4)));
      await sleep(5000);
      await temporal.up();
      run.say(`round ${round}: Temporal up at ${run.at()}; ${n} apps created and ${changed} changed while it was down`);
      await sleep(3000);
      // The apiserver down: the watches break, activities get connection errors.
      await apiserver.down();
      run.say(`round ${round}: kube-apiserver down at ${run.at()}`);
      await sleep(5000);
      await apiserver.up();
      // At once, before the controller's watch is back: only a relist or a resumed watch sees these.
      await apps.create(n);
      const changedAfter = await apps.change(apps.firstGeneration().slice(0, Math.ceil(n / 4)));
      run.say(`round ${round}: kube-apiserver up at ${run.at()}; ${n} apps created and ${changedAfter} changed right after`);
    }
    const took = await allConverged(kube, namespace, apps.count, timeouts.converge, (l) => report(`[restarts] ${l}`));
    run.say(`all ${apps.count} apps converged ${seconds(took)} after the last restart (${apps.changed()} with a second generation)`);
    await verify(run, { kube, namespace, apps, services, control: fakeAiven(), mark });
    await exportForLeakScan(run, namespace, temporal.address, temporal.namespace, kube);
  } finally {
    await controller.stop();
    await worker.stop();
    processFigures(run, worker, controller);
    await temporal.stop();
    await apiserver.stop();
  }
  return run.result();
}

/** What the leak scan reads of a scenario's own servers, which are gone by then: every history (decoded), event and application. */
async function exportForLeakScan(run: Run, name: string, address: string, temporalNamespace: string, kube: Kube): Promise<void> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: temporalNamespace });
  const histories: string[] = [];
  for await (const wf of client.workflow.list()) {
    histories.push(`--- ${wf.workflowId} ${wf.runId}\n${historyText(await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory())}`);
  }
  await connection.close();
  const events = (await kube.events.listEventForAllNamespaces()).items;
  const apps = ((await kube.custom.listClusterCustomObject({ ...AIVENAPP })) as { items: unknown[] }).items;
  const out = artifactsDir('exported');
  fs.writeFileSync(path.join(out, `${name}-histories.txt`), histories.join('\n'));
  fs.writeFileSync(path.join(out, `${name}-events.json`), JSON.stringify(events));
  fs.writeFileSync(path.join(out, `${name}-applications.json`), JSON.stringify(apps));
  run.say(`exported ${histories.length} histories, ${events.length} events and ${apps.length} applications for the leak scan`);
}

/**
 * Credentials a scenario's own fake Aiven issued, for the leak scan. Kept
 * outside artifacts/ (which the scan reads): this file holds them in clear.
 */
export function issuedSecretsDir(): string {
  const dir = path.join(world().dir, 'issued-secrets');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The test's own fake Aiven answers 30% of requests with 503 and, every 15 s,
 * 429 to everything for 3 s. Short form: for a storm of `sizes.faultStormS`,
 * then Aiven recovers; long form: until every application has converged.
 */
export async function faultScenario(): Promise<ScenarioResult> {
  const run = new Run('faults');
  const kube = Kube.shared();
  const namespace = `chaos-flt-${Date.now().toString(36)}`;
  const taskQueue = `aivenator-${namespace}`;
  const w = world();
  const fake: RunningFakeAiven = await startFakeAiven({ token: w.aiven.token, projects: [...new Set([w.aiven.mainProject, ...w.aiven.projects])], knobs: { kafkaKeyPoolSize: 8 } });
  const control = fake.control;
  const targets: Targets = { ...worldTargets(), aiven: { ...w.aiven, url: fake.url } };
  const { worker, controller } = processes(namespace, taskQueue, targets, namespace);
  let bursts: NodeJS.Timeout | undefined;
  let burstCount = 0;
  try {
    await kube.namespace(namespace);
    const services = [await kube.instance(namespace, 'valkeys', 'cache', control), await kube.instance(namespace, 'opensearches', 'logs', control)];
    await Promise.all([controller.start(), worker.start()]);
    await Promise.all([controller.ready(), worker.ready()]);
    await control.setKnobs({ faultFraction: 0.3, faultSeed: sizes.seed, faultStatus: 503 });
    bursts = setInterval(() => {
      burstCount++;
      void control.setKnobs({ rateLimit: { limit: 0, windowMs: 3000 } })
        .then(() => sleep(3000))
        .then(() => control.setKnobs({ rateLimit: null }))
        .catch(() => undefined);
    }, 15_000);
    const storm = sizes.faultStormS > 0 ? `a storm of ${sizes.faultStormS} s` : 'until every app converged';
    run.say(`${sizes.faultApps} apps; own fake Aiven: 30% 503 (seed ${sizes.seed}) and 3 s of 429 every 15 s, ${storm}`);
    const apps = new Apps(kube, namespace);
    await apps.create(sizes.faultApps);
    // A new generation for every fifth application once the first passes are under way.
    await sleep(3000);
    await apps.change(apps.firstGeneration().filter((i) => i % 5 === 0));
    let underFaults: number;
    try {
      const took = await allConverged(kube, namespace, sizes.faultApps, sizes.faultStormS > 0 ? sizes.faultStormS * 1000 : timeouts.converge, (l) => report(`[faults] ${l}`));
      underFaults = sizes.faultApps;
      run.say(`all ${sizes.faultApps} apps converged under faults, ${seconds(took)} after they were created`);
    } catch (err) {
      if (sizes.faultStormS === 0) throw err;
      underFaults = (await progress(kube, namespace)).converged;
      run.say(`${underFaults}/${sizes.faultApps} converged during the ${sizes.faultStormS} s storm`);
    }
    clearInterval(bursts);
    await sleep(3500);
    await control.setKnobs({ faultFraction: 0, rateLimit: null });
    const statuses = (await requestsSince(0, control)).reduce<Record<string, number>>((m, e) => ({ ...m, [e.status]: (m[e.status] ?? 0) + 1 }), {});
    run.say(`${burstCount} bursts of 429; Aiven answered ${JSON.stringify(statuses)} during the storm`);
    run.check('no 503 injected', statuses['503'] ? [] : ['none']);
    run.check('no 429 injected', statuses['429'] ? [] : ['none']);
    if (underFaults < sizes.faultApps) {
      const recovered = Date.now();
      await allConverged(kube, namespace, sizes.faultApps, timeouts.converge, (l) => report(`[faults] ${l}`));
      run.say(`the other ${sizes.faultApps - underFaults} converged ${seconds(Date.now() - recovered)} after Aiven recovered`);
    }
    await verify(run, { kube, namespace, apps, services, control, mark: 0 });
    run.check('worker crash', worker.crashes.map((c) => `exit ${c.code}`));
    run.check('controller crash', controller.crashes.map((c) => `exit ${c.code}`));
  } finally {
    clearInterval(bursts);
    await controller.stop();
    await worker.stop();
    processFigures(run, worker, controller);
    await deleteJanitorSchedule(w.temporal.address, w.temporal.namespace, taskQueue, namespace);
    fs.writeFileSync(path.join(issuedSecretsDir(), `${namespace}.json`), JSON.stringify(await control.listIssuedSecrets()));
    await fake.close();
  }
  return run.result();
}
