// The Aiven /v1 operations the project uses (aiven-api.md §2), over the store.

import type { OpenSearchAclConfig } from '../aiven/types';
import { acknowledgeRenewal, newUserRecord, resetCredentials } from './credentials';
import { FakeHttpError, badRequest, conflict, forbidden, notFound } from './errors';
import { lagAfterCreate, lagAfterReset, readsAsMissing, withLaggedPassword } from './lag';
import { route, type Route } from './http-util';
import type { Knobs } from './knobs';
import type { FakeStore, ServiceRecord } from './store';
import type { OperationName } from './types';
import { projectView, serviceView, userView } from './views';
import { validateCreateUser, validateModifyUser, validateOpenSearchAclBody } from './validation';

export interface AivenRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when empty); read lazily so bodiless routes ignore it. */
  body: () => Promise<unknown>;
}

export interface AivenHandler {
  operation: OperationName;
  run: (req: AivenRequest) => Promise<unknown>;
}

export interface AivenApiDeps {
  store: FakeStore;
  knobs: Knobs;
}

const includeSecrets = (q: URLSearchParams): boolean => q.get('include_secrets') === 'true';

/**
 * The real limit error is unknown (aiven-api.md §9): a 403 with a neutral text
 * stands in for it (no invented details such as counts). Aivenator must treat it
 * as permanent whatever its text.
 */
const USER_LIMIT_STATUS = 403;

/** Reading secrets needs `service:secrets:read` (aiven-docs "Secret redaction"); the real text is not public. */
function checkSecretsAllowed(deps: AivenApiDeps, query: URLSearchParams): void {
  if (includeSecrets(query) && deps.knobs.edges().forbidSecrets) throw forbidden('Permission denied');
}

function checkCanCreate(deps: AivenApiDeps, service: ServiceRecord, username: string): void {
  // Duplicates have answered 409 since Nov 2020; clients match "already exists" in the message.
  // A create still generating keys counts as existing, so concurrent creates answer 409.
  if (service.users.has(username) || service.pendingUsers.has(username)) {
    throw conflict(deps.knobs.edges().conflictMessage ?? `Service user ${username} already exists`);
  }
  const limit = deps.knobs.serviceUserLimit(service.userLimit);
  if (limit === null) return;
  // Counts only "normal" users: the primary avnadmin user is not created by clients.
  const count = [...service.users.values()].filter((u) => u.type === 'normal').length + service.pendingUsers.size;
  if (count >= limit) {
    throw new FakeHttpError(USER_LIMIT_STATUS, 'Service user limit reached');
  }
}

function requireOpenSearch(deps: AivenApiDeps, p: Record<string, string>): ServiceRecord & { opensearchAcl: OpenSearchAclConfig } {
  const service = deps.store.requireService(p.project, p.service);
  if (service.type !== 'opensearch' || !service.opensearchAcl) {
    throw badRequest(`Service ${service.name} is not an OpenSearch service`);
  }
  return service as ServiceRecord & { opensearchAcl: OpenSearchAclConfig };
}

function aclView(config: OpenSearchAclConfig): { opensearch_acl_config: OpenSearchAclConfig } {
  return { opensearch_acl_config: structuredClone(config) };
}

/** Merges the given fields; extendedAcl is stored and returned unchanged (aiven-api.md §7). */
function mergeAcl(target: OpenSearchAclConfig, update: Partial<OpenSearchAclConfig>): void {
  if (update.acls !== undefined) target.acls = update.acls;
  if (update.enabled !== undefined) target.enabled = update.enabled;
  if (update.extendedAcl !== undefined) target.extendedAcl = update.extendedAcl;
}

const USER = 'project/:project/service/:service/user/:username';

export function aivenRoutes(deps: AivenApiDeps): Route<AivenHandler>[] {
  const { store } = deps;
  const op = (operation: OperationName, run: AivenHandler['run']): AivenHandler => ({ operation, run });
  return [
    route('GET', 'project', op('listProjects', async () => {
      const hidden = deps.knobs.edges().forbiddenProjects;
      const names = store.projectNames().filter((n) => !hidden.includes(n));
      return {
        projects: names.map(projectView),
        project_membership: Object.fromEntries(names.map((n) => [n, 'admin'])),
        project_memberships: Object.fromEntries(names.map((n) => [n, ['admin']])),
      };
    })),

    route('GET', 'project/:project/kms/ca', op('getProjectCa', async ({ params }) => ({
      certificate: deps.knobs.edges().caBundle
        ? await store.caBundle(params.project)
        : store.requireProject(params.project).ca.certificate,
    }))),

    route('GET', 'project/:project/service/:service', op('getService', async ({ params, query }) => {
      const service = store.requireService(params.project, params.service);
      checkSecretsAllowed(deps, query);
      return { service: serviceView(service, includeSecrets(query)) };
    })),

    route('POST', 'project/:project/service/:service/user', op('createServiceUser', async ({ params, body }) => {
      const service = store.requireService(params.project, params.service);
      const req = validateCreateUser(await body());
      checkCanCreate(deps, service, req.username);
      service.pendingUsers.add(req.username);
      try {
        const record = await newUserRecord(store.credentialContext(params.project, service, req.username), {
          type: 'normal',
          accessControl: req.accessControl,
        });
        service.users.set(req.username, record);
        const edges = deps.knobs.edges();
        lagAfterCreate(record, edges);
        // Create is the one answer that carries plaintext secrets without include_secrets.
        return { message: 'created', user: withLaggedPassword(userView(record, true), record, edges.emptyPasswordValue) };
      } finally {
        service.pendingUsers.delete(req.username);
      }
    })),

    route('GET', USER, op('getServiceUser', async ({ params, query }) => {
      const service = store.requireService(params.project, params.service);
      const user = store.requireUser(service, params.username);
      // Same answer as for a missing user.
      if (readsAsMissing(user)) throw notFound('Service user does not exist');
      checkSecretsAllowed(deps, query);
      return { user: withLaggedPassword(userView(user, includeSecrets(query)), user, deps.knobs.edges().emptyPasswordValue) };
    })),

    route('PUT', USER, op('modifyServiceUser', async ({ params, body }) => {
      const service = store.requireService(params.project, params.service);
      const user = store.requireUser(service, params.username);
      const req = validateModifyUser(await body());
      switch (req.operation) {
        case 'acknowledge-renewal':
          // Without a pending renewal this is a no-op (real behaviour unknown; idempotent is safest).
          acknowledgeRenewal(user);
          break;
        case 'reset-credentials':
          await resetCredentials(store.credentialContext(params.project, service, user.username), user, req.newPassword);
          lagAfterReset(user, deps.knobs.edges());
          break;
        case 'set-access-control':
          user.accessControl = structuredClone(req.accessControl);
          break;
      }
      // The whole service, with the updated user in users[]; PUT answers are redacted.
      return { service: serviceView(service, false) };
    })),

    route('PUT', `${USER}/credentials/reset`, op('resetServiceUserCredentials', async ({ params }) => {
      const service = store.requireService(params.project, params.service);
      const user = store.requireUser(service, params.username);
      await resetCredentials(store.credentialContext(params.project, service, user.username), user);
      lagAfterReset(user, deps.knobs.edges());
      return { service: serviceView(service, false) };
    })),

    route('DELETE', USER, op('deleteServiceUser', async ({ params }) => {
      const service = store.requireService(params.project, params.service);
      store.requireUser(service, params.username);
      service.users.delete(params.username);
      // Deleting a user leaves its OpenSearch ACL entry in place (real behaviour unknown;
      // aivenator removes the entry itself, and tests should catch it if it does not).
      return { message: 'deleted' };
    })),

    route('GET', 'project/:project/service/:service/opensearch/acl', op('getOpenSearchAcl', async ({ params }) =>
      aclView(requireOpenSearch(deps, params).opensearchAcl),
    )),

    route('PUT', 'project/:project/service/:service/opensearch/acl', op('updateOpenSearchAcl', async ({ params, body }) => {
      const service = requireOpenSearch(deps, params);
      mergeAcl(service.opensearchAcl, validateOpenSearchAclBody(await body(), false));
      return aclView(service.opensearchAcl);
    })),

    route('POST', 'project/:project/service/:service/opensearch/acl', op('setOpenSearchAcl', async ({ params, body }) => {
      const service = requireOpenSearch(deps, params);
      mergeAcl(service.opensearchAcl, validateOpenSearchAclBody(await body(), true));
      return aclView(service.opensearchAcl);
    })),
  ];
}
