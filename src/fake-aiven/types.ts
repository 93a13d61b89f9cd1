// Types shared by the fake Aiven server and its control client. This module has
// no runtime code so the client can be imported without pulling in the server.

import type {
  OpenSearchAclConfig,
  ServiceComponent,
  ServiceState,
  ServiceType,
  ServiceUser,
  ValkeyAccessControl,
} from '../aiven/types';

/** Names of the Aiven operations the fake serves; used by knobs, the request log and counters. */
export const OPERATION_NAMES = [
  'listProjects',
  'getProjectCa',
  'getService',
  'createServiceUser',
  'getServiceUser',
  'modifyServiceUser',
  'resetServiceUserCredentials',
  'deleteServiceUser',
  'getOpenSearchAcl',
  'updateOpenSearchAcl',
  'setOpenSearchAcl',
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

/** A user placed into a service by a seed or the control API (not through the Aiven API). */
export interface FakeUserSpec {
  username: string;
  /** Defaults to "normal". */
  type?: 'primary' | 'normal';
  /** Generated when left out. */
  password?: string;
  access_control?: ValkeyAccessControl;
}

export interface FakeServiceSpec {
  name: string;
  type: ServiceType;
  /** Defaults to RUNNING. */
  state?: ServiceState;
  /** Full list of components; when left out they are derived from type, host and ports. */
  components?: ServiceComponent[];
  /** Host used for the derived components (default `<service>-<project>.aivencloud.com`). */
  host?: string;
  /** Port overrides for derived components, keyed by component name (kafka, schema_registry, ...). */
  ports?: Record<string, number>;
  /** Valkey only, derived components only: add a `valkey`/`replica` component. */
  replica?: boolean;
  /** Max number of "normal" users in this service; overrides the global knob. null = unlimited. */
  userLimit?: number | null;
  /** Add the primary `avnadmin` user (default true), as every real Aiven service has one. */
  adminUser?: boolean;
  users?: FakeUserSpec[];
  /** OpenSearch only: initial ACL config (default `{acls: [], enabled: false}`). */
  opensearchAcl?: OpenSearchAclConfig;
}

export interface FakeProjectSpec {
  name: string;
  services?: FakeServiceSpec[];
}

/** Mutable parts of a service (PATCH keeps users and ACLs). */
export interface FakeServicePatch {
  state?: ServiceState;
  components?: ServiceComponent[];
  userLimit?: number | null;
}

/** A fault answered for one named operation. */
export interface OperationFault {
  /** HTTP status to answer (default 500). */
  status?: number;
  /** How many more calls fail; null or left out = until cleared. */
  remaining?: number | null;
  /**
   * "before" (default): fail without touching state. "after": apply the operation,
   * then answer the error, like a response lost after Aiven committed the change.
   */
  phase?: 'before' | 'after';
  message?: string;
}

export interface RateLimitKnob {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export interface FakeAivenKnobs {
  /** Delay added to every /v1 request. */
  latencyMs: number;
  /** Fixed-window rate limit over all authenticated /v1 requests; null = off. */
  rateLimit: RateLimitKnob | null;
  /** The next K /v1 requests answer 429 regardless of the rate limit. */
  burst429: number;
  /** The "try again in Ss" value used by burst429 answers. */
  burst429RetryAfterSeconds: number;
  /** Also send a Retry-After header on 429 (Aiven is not documented to send one). */
  retryAfterHeader: boolean;
  /** Fraction (0..1) of /v1 requests that answer faultStatus, drawn from a PRNG seeded with faultSeed. */
  faultFraction: number;
  faultSeed: number;
  faultStatus: number;
  /** Restrict faultFraction to these operations; null = all. */
  faultOperations: OperationName[] | null;
  /** Faults for named operations. */
  operationFaults: Partial<Record<OperationName, OperationFault>>;
  /** Max "normal" users per service (services may override); null = unlimited. */
  serviceUserLimit: number | null;
  /**
   * 0 (default): a fresh RSA-2048 key per Kafka certificate, as Aiven does. N > 0: reuse
   * a pool of N keys (certificates stay unique), for benchmarks with many users.
   */
  kafkaKeyPoolSize: number;
  /**
   * Rough edges of the real API (issue 15). `conflictMessage`: the message of the
   * 409 for a duplicate create; null = the usual "Service user <u> already exists".
   */
  conflictMessage: string | null;
  /** After a create, the next N reads of that user (`GET …/user/{u}`) answer 404, as right after a real create. */
  notFoundAfterCreate: number;
  /**
   * After a create or a credential reset, the next N answers that carry that
   * user's password (the create answer, reads with include_secrets) carry an
   * empty one: "" or null per `emptyPasswordValue`.
   */
  emptyPasswordAnswers: number;
  emptyPasswordValue: 'empty' | 'null';
  /** `GET /project/{p}/kms/ca` answers a bundle: the project CA, then a second ("next") CA, as during a CA rotation. */
  caBundle: boolean;
  /** Reads with include_secrets=true answer 403: the token lacks the permission to read secrets. */
  forbidSecrets: boolean;
  /** Projects the token is not a member of: every call on them answers 403, and GET /project leaves them out. */
  forbiddenProjects: string[];
  /** A successful user DELETE answers this status with no body at all (200 or 204); null = `{message:"deleted"}`. */
  emptyDeleteStatus: 200 | 204 | null;
}

/** Partial knob update; `operationFaults` merges per operation, a null entry clears it. */
export type FakeAivenKnobsPatch = Partial<Omit<FakeAivenKnobs, 'operationFaults'>> & {
  operationFaults?: Partial<Record<OperationName, OperationFault | null>>;
};

export interface RequestLogEntry {
  seq: number;
  /** ISO 8601 time the request arrived. */
  time: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** null when no Aiven route matched. */
  operation: OperationName | null;
  status: number;
  durationMs: number;
  /**
   * The service user the request is about, when there is one: from the path,
   * or for createServiceUser from the body. A name, never a credential.
   */
  username?: string;
}

export interface RequestCounters {
  total: number;
  byOperation: Partial<Record<OperationName, number>>;
  byStatus: Record<string, number>;
  byOperationStatus: Partial<Record<OperationName, Record<string, number>>>;
}

export interface RequestLogSnapshot {
  entries: RequestLogEntry[];
  counters: RequestCounters;
}

export type IssuedSecretKind = 'password' | 'private_key' | 'certificate';

export interface IssuedSecret {
  kind: IssuedSecretKind;
  project: string;
  service: string;
  username: string;
  value: string;
  issuedAt: string;
}

export interface FakeProjectSummary {
  name: string;
  services: { name: string; type: ServiceType; state: ServiceState; users: number }[];
}

/** Server certificate signed by a project CA, for test servers (e.g. a real Kafka broker). */
export interface IssuedServerCertificate {
  certificate: string;
  /** PKCS#8 PEM. */
  privateKey: string;
  ca: string;
}

export type { ServiceUser };
