// The /_fake/ control API: tests, the sandbox and the worker's test harness use
// it to shape the world and to observe what the operator did. No Aiven auth: the
// server is a test server bound to 127.0.0.1 by default.

import type { ServiceState, ServiceType } from '../aiven/types';
import { startRenewal } from './credentials';
import { badRequest } from './errors';
import { isRecord, route, type Route } from './http-util';
import { Knobs } from './knobs';
import { issueServerCertificate } from './pki';
import type { RequestLog } from './request-log';
import type { FakeStore } from './store';
import type { FakeAivenKnobsPatch, FakeProjectSpec, FakeServicePatch, FakeServiceSpec } from './types';
import { serviceView, userView } from './views';

export interface ControlRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: () => Promise<unknown>;
}

export type ControlHandler = (req: ControlRequest) => Promise<unknown>;

export interface ControlApiDeps {
  store: FakeStore;
  knobs: Knobs;
  log: RequestLog;
}

const SERVICE_TYPES: readonly ServiceType[] = ['kafka', 'opensearch', 'valkey'];
const SERVICE_STATES: readonly ServiceState[] = ['RUNNING', 'REBUILDING', 'REBALANCING', 'POWEROFF'];

function checkState(state: unknown): void {
  if (state !== undefined && !(SERVICE_STATES as readonly unknown[]).includes(state)) {
    throw badRequest(`state must be one of ${SERVICE_STATES.join(', ')}`);
  }
}

function checkComponents(components: unknown): void {
  if (components === undefined) return;
  if (!Array.isArray(components)) throw badRequest('components must be an array');
  for (const c of components) {
    if (!isRecord(c) || typeof c.component !== 'string' || typeof c.host !== 'string' || typeof c.port !== 'number') {
      throw badRequest('each component needs component, host and port');
    }
  }
}

/** Light shape checks; the control API is for tests, so it trusts the rest. */
function serviceSpec(body: unknown, name: string): FakeServiceSpec {
  if (!isRecord(body)) throw badRequest('body must be a service spec object');
  if (!(SERVICE_TYPES as readonly unknown[]).includes(body.type)) {
    throw badRequest(`type must be one of ${SERVICE_TYPES.join(', ')}`);
  }
  checkState(body.state);
  checkComponents(body.components);
  if (body.users !== undefined && !Array.isArray(body.users)) throw badRequest('users must be an array');
  return { ...(body as unknown as FakeServiceSpec), name };
}

function projectSpec(body: unknown, name: string): FakeProjectSpec {
  const spec = body === undefined ? {} : body;
  if (!isRecord(spec)) throw badRequest('body must be a project spec object');
  const services = spec.services ?? [];
  if (!Array.isArray(services)) throw badRequest('services must be an array');
  return {
    name,
    services: services.map((s: unknown) => serviceSpec(s, isRecord(s) && typeof s.name === 'string' ? s.name : '')),
  };
}

function servicePatch(body: unknown): FakeServicePatch {
  if (!isRecord(body)) throw badRequest('body must be a service patch object');
  checkState(body.state);
  checkComponents(body.components);
  return body as FakeServicePatch;
}

function knobsPatch(body: unknown): FakeAivenKnobsPatch {
  if (!isRecord(body)) throw badRequest('body must be a knobs object');
  return body as FakeAivenKnobsPatch;
}

const SERVICE = 'projects/:project/services/:service';

export function controlRoutes(deps: ControlApiDeps): Route<ControlHandler>[] {
  const { store, knobs, log } = deps;
  return [
    route('GET', 'health', async () => ({ ok: true })),

    route('GET', 'projects', async () => ({ projects: store.summaries() })),
    route('PUT', 'projects/:project', async ({ params, body }) => {
      const spec = projectSpec(await body(), params.project);
      if (spec.services?.some((s) => s.name === '')) throw badRequest('every service needs a name');
      await store.putProject(spec);
      return { projects: store.summaries().filter((p) => p.name === params.project) };
    }),
    route('DELETE', 'projects/:project', async ({ params }) => {
      store.deleteProject(params.project);
      return { message: 'deleted' };
    }),
    route('GET', 'projects/:project/ca', async ({ params }) => ({
      certificate: store.requireProject(params.project).ca.certificate,
    })),
    route('POST', 'projects/:project/server-certificates', async ({ params, body }) => {
      const b = await body();
      const hosts = isRecord(b) ? b.hosts : undefined;
      if (!Array.isArray(hosts) || hosts.length === 0 || !hosts.every((h) => typeof h === 'string')) {
        throw badRequest('hosts must be a non-empty array of host names or IP addresses');
      }
      const signer = isRecord(b) ? (b.signer ?? 'current') : 'current';
      if (signer !== 'current' && signer !== 'next') throw badRequest('signer must be current or next');
      const project = store.requireProject(params.project);
      if (signer === 'current') {
        const issued = await issueServerCertificate(project.ca, hosts as string[]);
        return { certificate: issued.certificate, privateKey: issued.privateKey, ca: project.ca.certificate };
      }
      const issued = await issueServerCertificate(await store.nextCa(params.project), hosts as string[]);
      return { certificate: issued.certificate, privateKey: issued.privateKey, ca: await store.caBundle(params.project) };
    }),

    route('PUT', SERVICE, async ({ params, body }) => {
      const service = await store.putService(params.project, serviceSpec(await body(), params.service));
      return { service: serviceView(service, true) };
    }),
    route('PATCH', SERVICE, async ({ params, body }) => ({
      service: serviceView(store.patchService(params.project, params.service, servicePatch(await body())), true),
    })),
    route('GET', SERVICE, async ({ params }) => ({
      service: serviceView(store.requireService(params.project, params.service), true),
    })),
    route('DELETE', SERVICE, async ({ params }) => {
      store.deleteService(params.project, params.service);
      return { message: 'deleted' };
    }),
    route('GET', `${SERVICE}/users`, async ({ params }) => ({
      users: [...store.requireService(params.project, params.service).users.values()].map((u) => userView(u, true)),
    })),
    // "Behind the operator's back": not an Aiven call, so not logged or counted.
    route('DELETE', `${SERVICE}/users/:username`, async ({ params }) => {
      const service = store.requireService(params.project, params.service);
      store.requireUser(service, params.username);
      service.users.delete(params.username);
      return { message: 'deleted' };
    }),
    route('POST', `${SERVICE}/users/:username/renewal`, async ({ params }) => {
      const service = store.requireService(params.project, params.service);
      const user = store.requireUser(service, params.username);
      if (service.type !== 'kafka') throw badRequest('only Kafka users have certificates to renew');
      await startRenewal(store.credentialContext(params.project, service, user.username), user);
      return { user: userView(user, true) };
    }),
    route('GET', `${SERVICE}/opensearch-acl`, async ({ params }) => {
      const service = store.requireService(params.project, params.service);
      if (!service.opensearchAcl) throw badRequest(`Service ${service.name} is not an OpenSearch service`);
      return { opensearch_acl_config: structuredClone(service.opensearchAcl) };
    }),

    route('GET', 'knobs', async () => ({ knobs: knobs.get() })),
    route('PATCH', 'knobs', async ({ body }) => ({ knobs: knobs.apply(knobsPatch(await body())) })),
    route('PUT', 'knobs', async ({ body }) => {
      const patch = knobsPatch(await body());
      new Knobs(patch); // validate first, so a bad body leaves the knobs as they were
      knobs.reset();
      return { knobs: knobs.apply(patch) };
    }),
    route('POST', 'knobs/reset', async () => ({ knobs: knobs.reset() })),

    route('GET', 'requests', async ({ query }) => {
      const since = Number(query.get('since') ?? '0');
      return log.snapshot(Number.isFinite(since) ? since : 0);
    }),
    route('GET', 'requests/counters', async () => ({ counters: log.counts() })),
    route('DELETE', 'requests', async () => {
      log.reset();
      return { message: 'reset' };
    }),

    route('GET', 'secrets', async () => ({ secrets: store.ledger.list() })),
    route('DELETE', 'secrets', async () => {
      store.ledger.clear();
      return { message: 'cleared' };
    }),
  ];
}
