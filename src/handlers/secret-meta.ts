// Metadata and data every aivenator Secret carries, plus helpers shared by the
// per-service handler modules (kafka.ts, opensearch.ts, valkey.ts).
//
// Pure: no I/O. Activities call Aiven and Kubernetes and use these functions to
// decide what to write. Behaviour follows nais/aivenator (aivenator-behaviour.md
// §2 "Metadata on every Secret"); Go source consulted: pkg/utils/secret.go
// (SecretConfig.ApplyIndividualSecret, updateObjectMeta, createAnnotations),
// constants/constants.go and pkg/aiven/service/service.go (component lookup).

import type { AivenApplication } from '../kube/aivenapp-types';
import type { ServiceComponent, ServiceInfo } from '../aiven/types';

// ---------------------------------------------------------------------------
// Labels, annotations, finalizer (constants/constants.go, liberator nais_io_v1)
// ---------------------------------------------------------------------------

export const LABEL_APP = 'app';
export const LABEL_TEAM = 'team';
export const LABEL_TYPE = 'type';
/** Value of the `type` label on every Secret aivenator manages. */
export const SECRET_TYPE = 'aivenator.aiven.nais.io';
/** Label on the AivenApplication (set by naiserator) copied to the Secret; "0" when absent. */
export const LABEL_SECRET_GENERATION = 'aiven.nais.io/secret-generation';
/** Used both as a label and as an annotation, value "true" | "false". */
export const PROTECTED_KEY = 'aivenator.aiven.nais.io/protected';
export const LABEL_PROTECTED = PROTECTED_KEY;
export const ANNOTATION_PROTECTED = PROTECTED_KEY;
export const ANNOTATION_DEPLOYMENT_CORRELATION_ID = 'nais.io/deploymentCorrelationID';
export const ANNOTATION_WITH_TIME_LIMIT = 'aivenator.aiven.nais.io/with-time-limit';
export const ANNOTATION_EXPIRES_AT = 'aivenator.aiven.nais.io/expires-at';
export const FINALIZER = 'aivenator.aiven.nais.io/finalizer';
/**
 * Aivenator's HMAC over each user the Secret names (src/provenance/signature.ts): the
 * finalizer's proof that a user is this Secret's. Not written by the Go aivenator.
 */
export const SIGNATURE_ANNOTATION = 'aivenator.aiven.nais.io/signature';

// Per-handler annotations (the handler modules re-export the ones they own).
export const KAFKA_SERVICE_USER_ANNOTATION = 'kafka.aiven.nais.io/serviceUser';
export const KAFKA_POOL_ANNOTATION = 'kafka.aiven.nais.io/pool';
export const OPENSEARCH_SERVICE_USER_ANNOTATION = 'opensearch.aiven.nais.io/serviceUser';
export const OPENSEARCH_SERVICE_NAME_ANNOTATION = 'opensearch.aiven.nais.io/serviceName';
export const OPENSEARCH_PROJECT_ANNOTATION = 'opensearch.aiven.nais.io/project';
/** Valkey user/service annotations are `<i>.` + this, `<i>` = valkeyAnnotationPrefix(instance). */
export const VALKEY_SERVICE_USER_ANNOTATION_SUFFIX = 'valkey.aiven.nais.io/serviceUser';
export const VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX = 'valkey.aiven.nais.io/serviceName';
/** Not instance-prefixed: one per Secret. */
export const VALKEY_PROJECT_ANNOTATION = 'valkey.aiven.nais.io/project';

// Data keys on every Secret.
export const AIVEN_SECRET_UPDATED_KEY = 'AIVEN_SECRET_UPDATED';
export const AIVEN_CA_KEY = 'AIVEN_CA';

/** Label selector for aivenator's Secrets, optionally narrowed to one app (the janitor's two passes). */
export function aivenatorSecretSelector(appName?: string): string {
  const type = `${LABEL_TYPE}=${SECRET_TYPE}`;
  return appName === undefined ? type : `${LABEL_APP}=${appName},${type}`;
}

// ---------------------------------------------------------------------------
// Errors shared by the handler modules
// ---------------------------------------------------------------------------

/** A Secret lacks an annotation that cleanup needs (Go returns "missing annotation <key>"). */
export class MissingAnnotationError extends Error {
  readonly annotation: string;
  constructor(annotation: string, detail?: string) {
    super(`missing annotation ${annotation}${detail ? `: ${detail}` : ''}`);
    this.name = 'MissingAnnotationError';
    this.annotation = annotation;
  }
}

/** The Aiven service has no `components[]` entry with this name and usage. */
export class MissingServiceComponentError extends Error {
  readonly serviceName: string;
  readonly component: string;
  readonly usage: string;
  constructor(serviceName: string, component: string, usage: string) {
    super(`service ${serviceName} has no ${usage} ${component} component`);
    this.name = 'MissingServiceComponentError';
    this.serviceName = serviceName;
    this.component = component;
    this.usage = usage;
  }
}

/** A service user lacks a credential the Secret needs (e.g. a Kafka user without access_cert). */
export class MissingUserCredentialError extends Error {
  readonly username: string;
  readonly field: string;
  constructor(username: string, field: string) {
    super(`service user ${username} has no ${field}`);
    this.name = 'MissingUserCredentialError';
    this.username = username;
    this.field = field;
  }
}

/** AivenApplication.spec.expiresAt is not an RFC3339 date-time. */
export class InvalidExpiresAtError extends Error {
  readonly value: string;
  constructor(value: string) {
    super(`spec.expiresAt ${JSON.stringify(value)} is not an RFC3339 date-time`);
    this.name = 'InvalidExpiresAtError';
    this.value = value;
  }
}

// ---------------------------------------------------------------------------
// Time formatting (Go time.RFC3339)
// ---------------------------------------------------------------------------

/**
 * Go's `t.Format(time.RFC3339)` for a UTC time: `2006-01-02T15:04:05Z`, whole
 * seconds (fractions are truncated, as Go does). Go formats in the process's
 * local zone; the original runs with TZ unset (UTC), so we always emit `Z`.
 */
export function formatRfc3339(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
  // toISOString is always UTC with millisecond precision: drop the fraction.
  return `${date.toISOString().slice(0, 19)}Z`;
}

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Strict RFC3339 date-time parse (what `format: date-time` admits and Go's
 * time.Parse(time.RFC3339) accepts). Returns undefined when invalid.
 * Fractional seconds beyond milliseconds are truncated.
 */
export function parseRfc3339(value: string): Date | undefined {
  const m = RFC3339_RE.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate(); // leap-year agnostic upper bound
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 ? (leap ? 29 : 28) : daysInMonth;
  if (day < 1 || day > maxDay) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = m[7] ? Number(m[7].slice(1, 4).padEnd(3, '0')) : 0;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  return new Date(d.getTime() - offsetMinutes * 60_000);
}

// ---------------------------------------------------------------------------
// Metadata on every Secret
// ---------------------------------------------------------------------------

/** What baseSecretMetadata needs from an AivenApplication. */
export interface SecretMetaSource {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec: { protected?: boolean; expiresAt?: string };
}

export interface BaseSecretMetadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  finalizers: string[];
}

/** Adapts an AivenApplication object to baseSecretMetadata's input. */
export function secretMetaSource(app: AivenApplication): SecretMetaSource {
  return {
    name: app.metadata.name,
    namespace: app.metadata.namespace,
    labels: app.metadata.labels,
    annotations: app.metadata.annotations,
    spec: { protected: app.spec.protected, expiresAt: app.spec.expiresAt },
  };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The `aiven.nais.io/secret-generation` label value written to the Secret.
 * Go: `strconv.Atoi(label)`, falling back to 0 on absence or parse error, then
 * `strconv.Itoa`. So "007" → "7", "+3" → "3", "abc" / "" / " 1" / out of int64
 * range → "0".
 */
export function secretGenerationLabelValue(appLabels?: Record<string, string>): string {
  const raw = appLabels?.[LABEL_SECRET_GENERATION];
  if (raw === undefined || !/^[+-]?[0-9]+$/.test(raw)) return '0';
  const n = BigInt(raw);
  if (n < INT64_MIN || n > INT64_MAX) return '0';
  return n.toString();
}

/**
 * Labels, annotations and finalizer for any Secret aivenator writes
 * (updateObjectMeta + createAnnotations in pkg/utils/secret.go):
 * - labels: app, team (= namespace), type, secret-generation, protected;
 * - annotations: deploymentCorrelationID (always written, "" when the app has
 *   none, as the Go tests expect), protected; with-time-limit="true" and
 *   expires-at (RFC3339, UTC, whole seconds) only when protected AND expiresAt
 *   is set (an empty expiresAt counts as unset);
 * - finalizers: [aivenator.aiven.nais.io/finalizer].
 * Throws InvalidExpiresAtError when the time-limit annotations are due but
 * expiresAt is not RFC3339 (the CRD validates it, so this is defensive).
 * Handler annotations are merged on top by the caller.
 */
export function baseSecretMetadata(app: SecretMetaSource): BaseSecretMetadata {
  const isProtected = app.spec.protected === true;
  const labels: Record<string, string> = {
    [LABEL_APP]: app.name,
    [LABEL_TEAM]: app.namespace,
    [LABEL_TYPE]: SECRET_TYPE,
    [LABEL_SECRET_GENERATION]: secretGenerationLabelValue(app.labels),
    [LABEL_PROTECTED]: String(isProtected),
  };
  const annotations: Record<string, string> = {
    [ANNOTATION_DEPLOYMENT_CORRELATION_ID]: app.annotations?.[ANNOTATION_DEPLOYMENT_CORRELATION_ID] ?? '',
    [ANNOTATION_PROTECTED]: String(isProtected),
  };
  const expiresAt = app.spec.expiresAt;
  if (isProtected && expiresAt !== undefined && expiresAt !== '') {
    const parsed = parseRfc3339(expiresAt);
    if (!parsed) throw new InvalidExpiresAtError(expiresAt);
    annotations[ANNOTATION_WITH_TIME_LIMIT] = 'true';
    annotations[ANNOTATION_EXPIRES_AT] = formatRfc3339(parsed);
  }
  return { labels, annotations, finalizers: [FINALIZER] };
}

/** AIVEN_SECRET_UPDATED (Go time.RFC3339, UTC) and AIVEN_CA (the main project's CA). */
export function commonSecretData(now: Date, projectCa: string): Record<string, string> {
  return {
    [AIVEN_SECRET_UPDATED_KEY]: formatRfc3339(now),
    [AIVEN_CA_KEY]: projectCa,
  };
}

// ---------------------------------------------------------------------------
// Service components (pkg/aiven/service/service.go)
// ---------------------------------------------------------------------------

/** Host and port of a component, with the URI aivenator writes; port as a decimal string. */
export interface ServiceAddress {
  uri: string;
  host: string;
  port: string;
}

/** The zero address Go writes when a component is absent (port "0"). */
export const EMPTY_ADDRESS: Readonly<ServiceAddress> = Object.freeze({ uri: '', host: '', port: '0' });

/** First `components[]` entry with this name and usage (Go findComponent; route is ignored). */
export function findComponent(service: ServiceInfo, component: string, usage: string = 'primary'): ServiceComponent | undefined {
  return (service.components ?? []).find((c) => c.component === component && c.usage === usage);
}

/** `<scheme>://host:port`, or `host:port` when scheme is empty (Go getServiceAddress). */
export function componentAddress(c: Pick<ServiceComponent, 'host' | 'port'>, scheme: string): ServiceAddress {
  const port = String(c.port);
  const hostPort = `${c.host}:${port}`;
  return { uri: scheme === '' ? hostPort : `${scheme}://${hostPort}`, host: c.host, port };
}
