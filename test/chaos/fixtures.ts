// What the chaos tests share: a mix of applications (Kafka for all, Valkey for
// every second, OpenSearch for every third), waiting for all of them to
// converge, and the checks afterwards: every Secret present and consistent
// with its Aiven user, no Aiven user that no Secret references, and no user
// created twice.
import * as k8s from '@kubernetes/client-node';
import * as forge from 'node-forge';
import { kubeConfigFor } from '../../src/devworld/kube-apiserver';
import { FakeAivenControl } from '../../src/fake-aiven';
import { aivenatorSecretSelector } from '../../src/handlers/secret-meta';
import { AIVENAPP, AivenApplication, AivenApplicationSpec } from '../../src/kube/aivenapp-types';
import { mergePatch } from '../../src/kube/clients';
import { secretServiceUsers } from '../../src/janitor/user-refs';
import { serviceUserKey } from '../../src/janitor/user-key';
import { kafkaShortTeamName } from '../../src/naming/names';
import type { RequestLogEntry } from '../../src/fake-aiven/types';
import { fakeAiven, isConverged } from '../env/aivenator';
import { world } from '../env/world';

const ACCESS = ['read', 'write', 'readwrite', 'admin'];

/** Kubernetes clients for one apiserver (the shared one, or a test's own). */
export class Kube {
  readonly core: k8s.CoreV1Api;
  readonly custom: k8s.CustomObjectsApi;
  readonly events: k8s.EventsV1Api;

  constructor(readonly kc: k8s.KubeConfig) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.events = kc.makeApiClient(k8s.EventsV1Api);
  }

  static of(server: string, token: string): Kube {
    return new Kube(kubeConfigFor(server, token));
  }

  static shared(): Kube {
    return Kube.of(world().kube.server, world().kube.adminToken);
  }

  async namespace(name: string): Promise<void> {
    await this.core.createNamespace({ body: { metadata: { name } } });
  }

  /** An aiven.io instance object (RUNNING) and its service in the fake Aiven. */
  async instance(namespace: string, kind: 'opensearches' | 'valkeys', instance: string, control: FakeAivenControl = fakeAiven()): Promise<string> {
    const type = kind === 'opensearches' ? 'opensearch' : 'valkey';
    const name = `${type}-${namespace}-${instance}`;
    await this.custom.createNamespacedCustomObject({
      group: 'aiven.io', version: 'v1alpha1', plural: kind, namespace,
      body: { apiVersion: 'aiven.io/v1alpha1', kind: kind === 'opensearches' ? 'OpenSearch' : 'Valkey', metadata: { name, namespace }, spec: {} },
    });
    await this.custom.patchNamespacedCustomObjectStatus(
      { group: 'aiven.io', version: 'v1alpha1', plural: kind, namespace, name, body: { status: { state: 'RUNNING' } } },
      mergePatch,
    );
    await control.putService(world().aiven.mainProject, { name, type });
    return name;
  }

  async createApp(namespace: string, name: string, spec: AivenApplicationSpec): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...AIVENAPP, namespace,
      body: { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { name, namespace }, spec },
    });
  }

  async patchApp(namespace: string, name: string, spec: Partial<AivenApplicationSpec>): Promise<void> {
    await this.custom.patchNamespacedCustomObject({ ...AIVENAPP, namespace, name, body: { spec } }, mergePatch);
  }

  async apps(namespace: string): Promise<AivenApplication[]> {
    return ((await this.custom.listNamespacedCustomObject({ ...AIVENAPP, namespace })) as { items: AivenApplication[] }).items;
  }

  async secrets(namespace: string): Promise<k8s.V1Secret[]> {
    return (await this.core.listNamespacedSecret({ namespace, labelSelector: aivenatorSecretSelector() })).items;
  }
}

/** The chaos mix: every app has Kafka, every second one Valkey (instance `cache`), every third OpenSearch (`logs`). */
export function chaosSpec(i: number, generation = 1): AivenApplicationSpec {
  const app = appName(i);
  const g = generation > 1 ? `-g${generation}` : '';
  const spec: AivenApplicationSpec = { kafka: { pool: world().aiven.mainProject, secretName: `${app}-kafka${g}` } };
  if (i % 2 === 0) spec.valkey = [{ instance: 'cache', access: ACCESS[(i / 2 + generation - 1) % 4], secretName: `${app}-valkey${g}` }];
  if (i % 3 === 0) spec.openSearch = { instance: 'logs', access: ACCESS[(i + generation) % 4], secretName: `${app}-os${g}` };
  return spec;
}

export function appName(i: number): string {
  return `app-${String(i).padStart(3, '0')}`;
}

export interface Progress {
  total: number;
  converged: number;
  failed: string[];
  pending: string[];
}

export async function progress(kube: Kube, namespace: string): Promise<Progress> {
  const apps = await kube.apps(namespace);
  const done = (a: AivenApplication) => isConverged(a);
  return {
    total: apps.length,
    converged: apps.filter(done).length,
    failed: apps.filter((a) => !done(a) && a.status?.synchronizationState === 'RolloutFailed').map((a) => `${a.metadata.name}: ${a.status?.conditions?.find((c) => c.status === 'True' && c.type !== 'Succeeded')?.message ?? ''}`),
    pending: apps.filter((a) => !done(a)).map((a) => a.metadata.name),
  };
}

/** Waits until every application in the namespace is RolloutComplete at its current generation. */
export async function allConverged(kube: Kube, namespace: string, expected: number, timeoutMs: number, log: (s: string) => void = () => undefined): Promise<number> {
  const started = Date.now();
  let last: Progress | undefined;
  let lastLog = 0;
  while (Date.now() - started < timeoutMs) {
    try {
      last = await progress(kube, namespace);
      if (last.total === expected && last.converged === expected) return Date.now() - started;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`  ${last.converged}/${expected} converged after ${Math.round((Date.now() - started) / 1000)} s`);
      }
    } catch {
      // The apiserver may be restarting.
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`not every application converged within ${timeoutMs} ms: ${last?.converged}/${expected}; pending ${last?.pending.slice(0, 10).join(', ')}; failed ${last?.failed.slice(0, 5).join(' | ')}`);
}

export interface Consistency {
  secrets: number;
  users: number;
  problems: string[];
}

/**
 * Every Secret an application names exists, points at an Aiven user that
 * exists, and carries that user's credentials (Kafka: its certificate, whose
 * CN is the user; Valkey and OpenSearch: its password; OpenSearch: an ACL entry).
 */
export async function checkSecrets(kube: Kube, namespace: string, control: FakeAivenControl = fakeAiven()): Promise<Consistency> {
  const project = world().aiven.mainProject;
  const apps = await kube.apps(namespace);
  const secrets = new Map((await kube.secrets(namespace)).map((s) => [s.metadata!.name!, s]));
  const users = new Map<string, Map<string, { password?: string; access_cert?: string }>>();
  const usersOf = async (service: string) => {
    if (!users.has(service)) users.set(service, new Map((await control.listUsers(project, service)).map((u) => [u.username, u])));
    return users.get(service)!;
  };
  const acls = new Map<string, string[]>();
  const problems: string[] = [];
  let checked = 0;
  for (const app of apps) {
    const spec = app.spec ?? {};
    const named: { secretName: string; kind: 'kafka' | 'valkey' | 'opensearch'; instance?: string }[] = [];
    if (spec.kafka?.secretName) named.push({ secretName: spec.kafka.secretName, kind: 'kafka' });
    for (const v of spec.valkey ?? []) if (v.secretName) named.push({ secretName: v.secretName, kind: 'valkey', instance: v.instance });
    if (spec.openSearch?.secretName) named.push({ secretName: spec.openSearch.secretName, kind: 'opensearch', instance: spec.openSearch.instance });
    for (const entry of named) {
      const where = `${app.metadata.name}: Secret ${entry.secretName}`;
      const secret = secrets.get(entry.secretName);
      if (!secret) {
        problems.push(`${where} is missing`);
        continue;
      }
      checked++;
      const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      const refs = secretServiceUsers(secret.metadata?.annotations).users.filter((u) => u.handler === entry.kind);
      if (refs.length !== 1) {
        problems.push(`${where} names ${refs.length} ${entry.kind} users`);
        continue;
      }
      const ref = refs[0];
      const service = ref.handler === 'kafka' ? 'kafka' : ref.service!;
      const user = (await usersOf(service)).get(ref.username);
      if (!user) {
        problems.push(`${where} names ${ref.username}, which does not exist in ${service}`);
        continue;
      }
      if (entry.kind === 'kafka') {
        const cert = forge.pki.certificateFromPem(data.KAFKA_CERTIFICATE);
        const cn = cert.subject.getField('CN')?.value;
        if (cn !== ref.username) problems.push(`${where}: certificate CN ${cn} is not its user ${ref.username}`);
        if (norm(data.KAFKA_CERTIFICATE) !== norm(user.access_cert ?? '')) problems.push(`${where}: certificate is not ${ref.username}'s current one`);
      } else if (entry.kind === 'valkey') {
        const key = Object.keys(data).find((k) => k.startsWith('VALKEY_PASSWORD_'));
        if (!key || data[key] !== user.password) problems.push(`${where}: password is not ${ref.username}'s`);
      } else {
        if (data.OPEN_SEARCH_PASSWORD !== user.password) problems.push(`${where}: password is not ${ref.username}'s`);
        if (!acls.has(service)) acls.set(service, (await control.getOpenSearchAcl(project, service)).acls.map((a) => a.username));
        if (!acls.get(service)!.includes(ref.username)) problems.push(`${where}: ${ref.username} has no OpenSearch ACL entry`);
      }
    }
  }
  return { secrets: checked, users: [...users.values()].reduce((n, m) => n + m.size, 0), problems };
}

function norm(pem: string): string {
  return pem.replace(/\r/g, '').trim();
}

/**
 * Users in the involved services that belong to this namespace's applications
 * but that no managed Secret in the namespace references (avnadmin excluded).
 * Kafka users of other tests share the `kafka` service: ours start with the
 * namespace's short team name.
 */
export async function unreferencedUsers(kube: Kube, namespace: string, services: string[], control: FakeAivenControl = fakeAiven()): Promise<string[]> {
  const project = world().aiven.mainProject;
  const referenced = new Set<string>();
  for (const secret of await kube.secrets(namespace)) {
    for (const u of secretServiceUsers(secret.metadata?.annotations).users) referenced.add(serviceUserKey(u));
  }
  const teamPrefix = `${kafkaShortTeamName(namespace)}_`;
  const orphans: string[] = [];
  for (const service of ['kafka', ...services]) {
    for (const user of await control.listUsers(project, service)) {
      if (user.type === 'primary') continue;
      if (service === 'kafka' && !user.username.startsWith(teamPrefix)) continue;
      const handler = service === 'kafka' ? 'kafka' : service.startsWith('opensearch-') ? 'opensearch' : 'valkey';
      const key = serviceUserKey({ handler, project, service, username: user.username });
      if (!referenced.has(key)) orphans.push(`${service}/${user.username}`);
    }
  }
  return orphans.sort();
}

/** The service a request went to (`/v1/project/<p>/service/<s>/...`), or "" for project-level ones. */
export function serviceOf(e: RequestLogEntry): string {
  return /\/service\/([^/]+)/.exec(e.path)?.[1] ?? '';
}

/**
 * Users of a namespace's applications: Kafka users (in the shared `kafka`
 * service) by the namespace's short team name, all users of its own services.
 */
export function usersOf(namespace: string, services: string[]): (e: RequestLogEntry) => boolean {
  const teamPrefix = `${kafkaShortTeamName(namespace)}_`;
  return (e) => e.username !== undefined && (services.includes(serviceOf(e)) || (serviceOf(e) === 'kafka' && e.username.startsWith(teamPrefix)));
}

/** Users the fake answered createServiceUser 200 for more than once (each generation has its own user name). */
export function createdTwice(entries: RequestLogEntry[], ours: (e: RequestLogEntry) => boolean): string[] {
  const counts = new Map<string, number>();
  for (const e of entries) {
    if (e.operation !== 'createServiceUser' || e.status !== 200 || !ours(e)) continue;
    const key = `${serviceOf(e)}/${e.username}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([u, n]) => `${u} (${n} times)`);
}

export function createdUsers(entries: RequestLogEntry[], ours: (e: RequestLogEntry) => boolean): number {
  return new Set(entries.filter((e) => e.operation === 'createServiceUser' && e.status === 200 && ours(e)).map((e) => `${serviceOf(e)}/${e.username}`)).size;
}

/** The fake's request log since `since`, all of it (the control API answers everything after the cursor). */
export async function requestsSince(since: number, control: FakeAivenControl = fakeAiven()): Promise<RequestLogEntry[]> {
  return (await control.getRequestLog(since)).entries;
}

export async function logMark(control: FakeAivenControl = fakeAiven()): Promise<number> {
  const { entries } = await control.getRequestLog();
  return entries.reduce((max, e) => Math.max(max, e.seq), 0);
}

export function randomBetween(min: number, max: number, rng: () => number): number {
  return min + (max - min) * rng();
}
