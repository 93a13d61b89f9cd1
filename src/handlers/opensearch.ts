// OpenSearch: per-service knowledge for the OpenSearch credentials Secret. Pure, no I/O.
//
// Go sources: pkg/services/opensearch/opensearch.go (Apply, updateACL, Cleanup),
// aiven-go-client v2 opensearch_acl.go (OpenSearchACLConfig.Add / Delete),
// pkg/aiven/service/service.go (addresses). See aivenator-behaviour.md §3 "OpenSearch".

import type { OpenSearchAcl, OpenSearchAclConfig, OpenSearchAclRule, OpenSearchPermission, ServiceInfo, ServiceUser } from '../aiven/types';
import {
  EMPTY_ADDRESS,
  MissingAnnotationError,
  MissingServiceComponentError,
  OPENSEARCH_PROJECT_ANNOTATION,
  OPENSEARCH_SERVICE_NAME_ANNOTATION,
  OPENSEARCH_SERVICE_USER_ANNOTATION,
  componentAddress,
  findComponent,
} from './secret-meta';
import { requireCredential } from './credentials';

export { OPENSEARCH_PROJECT_ANNOTATION, OPENSEARCH_SERVICE_NAME_ANNOTATION, OPENSEARCH_SERVICE_USER_ANNOTATION };

export const OPEN_SEARCH_USERNAME = 'OPEN_SEARCH_USERNAME';
export const OPEN_SEARCH_PASSWORD = 'OPEN_SEARCH_PASSWORD';
export const OPEN_SEARCH_URI = 'OPEN_SEARCH_URI';
export const OPEN_SEARCH_HOST = 'OPEN_SEARCH_HOST';
export const OPEN_SEARCH_PORT = 'OPEN_SEARCH_PORT';
export const OPEN_SEARCH_DASHBOARD_URI = 'OPEN_SEARCH_DASHBOARD_URI';
export const OPEN_SEARCH_DASHBOARD_HOST = 'OPEN_SEARCH_DASHBOARD_HOST';
export const OPEN_SEARCH_DASHBOARD_PORT = 'OPEN_SEARCH_DASHBOARD_PORT';

export const OPENSEARCH_SECRET_KEYS: readonly string[] = Object.freeze([
  OPEN_SEARCH_USERNAME,
  OPEN_SEARCH_PASSWORD,
  OPEN_SEARCH_URI,
  OPEN_SEARCH_HOST,
  OPEN_SEARCH_PORT,
  OPEN_SEARCH_DASHBOARD_URI,
  OPEN_SEARCH_DASHBOARD_HOST,
  OPEN_SEARCH_DASHBOARD_PORT,
]);

/** Go DefaultACLAccess: an empty `access` means read. */
export const DEFAULT_OPENSEARCH_ACCESS = 'read';

/** The access level actually used: `access`, or "read" when empty/absent. */
export function openSearchAccess(access?: string): string {
  return access === undefined || access === '' ? DEFAULT_OPENSEARCH_ACCESS : access;
}

/**
 * Service names to try, in order: `opensearch-<ns>-<instance>` (the name an
 * aiven.io OpenSearch CR in the namespace has), then the legacy `<instance>`
 * as given (naiserator already sends the full name). Each must be backed by an
 * OpenSearch CR in the app's namespace; that check is the caller's (I/O).
 */
export function openSearchServiceCandidates(namespace: string, instance: string): string[] {
  const newStyle = `opensearch-${namespace}-${instance}`;
  return newStyle === instance ? [newStyle] : [newStyle, instance];
}

export interface OpenSearchAddresses {
  uri: string;
  host: string;
  port: string;
  /** "" / "" / "0" when the service has no opensearch_dashboards component. */
  dashboardUri: string;
  dashboardHost: string;
  dashboardPort: string;
}

/**
 * `https://host:port` of opensearch/primary and of opensearch_dashboards/primary.
 * Throws MissingServiceComponentError without an opensearch component (Go:
 * "no OpenSearch service found").
 */
export function openSearchAddresses(service: ServiceInfo): OpenSearchAddresses {
  const os = findComponent(service, 'opensearch', 'primary');
  if (!os) throw new MissingServiceComponentError(service.service_name, 'opensearch', 'primary');
  const main = componentAddress(os, 'https');
  const dashboardComponent = findComponent(service, 'opensearch_dashboards', 'primary');
  const dash = dashboardComponent ? componentAddress(dashboardComponent, 'https') : EMPTY_ADDRESS;
  return {
    uri: main.uri,
    host: main.host,
    port: main.port,
    dashboardUri: dash.uri,
    dashboardHost: dash.host,
    dashboardPort: dash.port,
  };
}

/**
 * Exactly the eight OPEN_SEARCH_* keys (AIVEN_CA / AIVEN_SECRET_UPDATED come from commonSecretData).
 * Throws MissingUserCredentialError for an empty, null or redacted password.
 */
export function openSearchSecretData(user: Pick<ServiceUser, 'username' | 'password'>, addresses: OpenSearchAddresses): Record<string, string> {
  return {
    [OPEN_SEARCH_USERNAME]: requireCredential(user.username, 'username', user.username),
    [OPEN_SEARCH_PASSWORD]: requireCredential(user.username, 'password', user.password),
    [OPEN_SEARCH_URI]: addresses.uri,
    [OPEN_SEARCH_HOST]: addresses.host,
    [OPEN_SEARCH_PORT]: addresses.port,
    [OPEN_SEARCH_DASHBOARD_URI]: addresses.dashboardUri,
    [OPEN_SEARCH_DASHBOARD_HOST]: addresses.dashboardHost,
    [OPEN_SEARCH_DASHBOARD_PORT]: addresses.dashboardPort,
  };
}

/** serviceUser, serviceName (the resolved Aiven service name) and project. */
export function openSearchAnnotations(username: string, serviceName: string, project: string): Record<string, string> {
  return {
    [OPENSEARCH_SERVICE_USER_ANNOTATION]: username,
    [OPENSEARCH_SERVICE_NAME_ANNOTATION]: serviceName,
    [OPENSEARCH_PROJECT_ANNOTATION]: project,
  };
}

// ---------------------------------------------------------------------------
// ACL config
// ---------------------------------------------------------------------------

export interface AclChange {
  config: OpenSearchAclConfig;
  changed: boolean;
}

function cloneEntry(e: OpenSearchAcl): OpenSearchAcl {
  // `rules` may be null in JSON from Aiven (Go nil slice); normalise to [].
  return { ...e, rules: (e.rules ?? []).map((r) => ({ ...r })) };
}

function sameRule(a: OpenSearchAclRule, b: OpenSearchAclRule): boolean {
  return a.index === b.index && a.permission === b.permission;
}

/**
 * The grant aivenator applies on every sync (Go updateACL + aiven-go-client
 * OpenSearchACLConfig.Add): enabled=true, then rules `_*` and `*` with
 * permission = access (default read) for `username`.
 * - A rule counts as present when any entry of that user has the same index and
 *   permission; only missing rules are added, in the order `_*`, `*`.
 * - Missing rules are appended to the user's entry (the last one, like Go, if
 *   the config lists the user twice); a new entry is appended if there is none.
 * - Other users' entries, extendedAcl and unknown fields are untouched; the
 *   input is not mutated.
 * `changed` is true when enabling or adding a rule altered the config, so a
 * caller may skip the PUT (Go always PUTs).
 */
export function mergeOpenSearchAcl(config: OpenSearchAclConfig, username: string, access?: string): AclChange {
  const permission = openSearchAccess(access) as OpenSearchPermission;
  const wanted: OpenSearchAclRule[] = [
    { index: '_*', permission },
    { index: '*', permission },
  ];
  const acls = (config.acls ?? []).map(cloneEntry);
  const mine = acls.filter((e) => e.username === username);
  const missing = wanted.filter((w) => !mine.some((e) => e.rules.some((r) => sameRule(r, w))));
  let changed = config.enabled !== true;
  if (missing.length > 0) {
    changed = true;
    const last = mine[mine.length - 1];
    if (last) last.rules.push(...missing);
    else acls.push({ username, rules: missing });
  }
  return { config: { ...config, acls, enabled: true }, changed };
}

/**
 * Cleanup: drop every ACL entry of `username`; everything else unchanged
 * (including `enabled`). The input is not mutated.
 *
 * Deliberately NOT Go's behaviour: Go calls OpenSearchACLConfig.Delete with an
 * entry carrying no rules, which keeps every entry that has rules, so stale
 * entries were never removed (the intent of #437 and of the reference).
 */
export function removeOpenSearchAclUser(config: OpenSearchAclConfig, username: string): AclChange {
  const before = config.acls ?? [];
  const acls = before.filter((e) => e.username !== username).map(cloneEntry);
  return { config: { ...config, acls }, changed: acls.length !== before.length };
}

// ---------------------------------------------------------------------------
// Cleanup
// ---------------------------------------------------------------------------

export interface OpenSearchCleanupTarget {
  project: string;
  service: string;
  username: string;
}

/**
 * What the OpenSearch part of the Secret finalizer cleans up (Go Cleanup):
 * - no (or empty) serviceName annotation → null, nothing to do;
 * - serviceName but no serviceUser, or no project → MissingAnnotationError
 *   (returned, not thrown); empty values count as missing;
 * - otherwise: remove the user's ACL entry (GET, removeOpenSearchAclUser, PUT),
 *   then delete the user; a 404 on delete counts as success.
 */
export function openSearchCleanupTarget(annotations: Record<string, string> | undefined): OpenSearchCleanupTarget | null | MissingAnnotationError {
  const service = annotations?.[OPENSEARCH_SERVICE_NAME_ANNOTATION];
  if (service === undefined || service === '') return null;
  const username = annotations?.[OPENSEARCH_SERVICE_USER_ANNOTATION];
  if (username === undefined || username === '') return new MissingAnnotationError(OPENSEARCH_SERVICE_USER_ANNOTATION);
  const project = annotations?.[OPENSEARCH_PROJECT_ANNOTATION];
  if (project === undefined || project === '') return new MissingAnnotationError(OPENSEARCH_PROJECT_ANNOTATION);
  return { project, service, username };
}
