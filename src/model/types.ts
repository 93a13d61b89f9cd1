// Shared domain types, and what crosses the workflow/activity boundary, and so lands in Temporal's
// history: names, generations and hashes only — never credentials.


export interface AppRef {
  namespace: string;
  name: string;
}

export type ServiceKind = 'kafka' | 'opensearch' | 'valkey';

/** One Secret the application asks for. */
export interface SecretEntry {
  service: ServiceKind;
  secretName: string;
  /** Kafka pool. */
  pool?: string;
  /** OpenSearch or Valkey instance. */
  instance?: string;
  access?: string;
}

/** Labels and annotations every Secret of the application carries. */
export interface SecretContext {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface SpecProblem {
  reason: string;
  message: string;
}

export interface AppSnapshot extends AppRef {
  uid: string;
  generation: number;
  specHash: string;
  storedHash?: string;
  expiresAt?: string;
  protected: boolean;
  deprecatedSecretName: boolean;
  entries: SecretEntry[];
  /** Named Secrets that do not exist. */
  missingSecrets: string[];
  /** Reasons the spec cannot be synchronised at all (bad names, pool not allowed). */
  problems: SpecProblem[];
  secretContext: SecretContext;
  /** The worker's drift-check interval; 0 when disabled. */
  driftIntervalMs: number;
  /** The users each existing named Secret points at now, before a pass rewrites them (compensation). */
  currentUsers: CapturedSecretUsers;
}

export interface SyncSecretInput {
  app: AppRef & { uid: string; generation: number };
  entry: SecretEntry;
  secretContext: SecretContext;
}

export interface SyncSecretResult {
  secretName: string;
  service: ServiceKind;
  serviceName: string;
  project: string;
  username: string;
  userCreated: boolean;
  secretWrite: 'created' | 'updated';
  /** sha256 over the Secret's data, to tell "changed" in history without showing it. */
  dataHash: string;
}

export type PassOutcome =
  | { kind: 'synced'; syncReason: string; results: SyncSecretResult[] }
  | { kind: 'up-to-date' }
  | { kind: 'failed'; conditionType: 'AivenFailure' | 'LocalFailure'; reason: string; message: string; transient: boolean };

export interface FinishPassInput {
  app: AppRef & { uid: string; generation: number; specHash: string; deprecatedSecretName: boolean };
  outcome: PassOutcome;
  /** When the pass began (workflow time), for the processing-time metric. */
  passStartedAt?: string;
}

/** What finishPass wrote, for the audit timeline (a local activity's marker holds its result, not its input). */
export interface FinishPassSummary {
  status: 'RolloutComplete' | 'UpToDate' | 'RolloutFailed' | 'skipped';
  generation: number;
  syncReason?: string;
  secrets?: number;
  reason?: string;
  message?: string;
  transient?: boolean;
}


/** ApplicationFailure types the activities throw; the workflow decides on them. */
export const FailureTypes = {
  InvalidSpec: 'InvalidSpec',
  SecretNotManaged: 'SecretNotManaged',
  /** The Secret name is taken by a Secret Aivenator manages for another application (permanent). */
  SecretNameConflict: 'SecretNameConflict',
  InstanceNotFound: 'InstanceNotFound',
  InstanceNotReady: 'InstanceNotReady',
  KubernetesError: 'KubernetesError',
  AivenPermanentError: 'AivenPermanentError',
  AivenRetryableError: 'AivenRetryableError',
  AivenRateLimited: 'AivenRateLimited',
  AivenNotFound: 'AivenNotFound',
  AivenAlreadyExists: 'AivenAlreadyExists',
  /** The application changed (or went) since the pass began: a late attempt must not act for an old generation. */
  Superseded: 'Superseded',
} as const;

// ---------------------------------------------------------------------------
// Secret lifecycle (issue 4): the Secret finalizer, compensation, the janitor
// ---------------------------------------------------------------------------

/** A Secret as one object: the uid tells it from a later Secret of the same name. */
export interface SecretRef {
  namespace: string;
  name: string;
  uid: string;
}

/** An Aiven service user that a Secret points at or a pass created. */
export interface ServiceUserRef {
  handler: ServiceKind;
  project: string;
  /** Kafka Secrets do not record the service: it is resolved from the pool (= project) as the sync does. */
  service?: string;
  username: string;
}

export interface SecretCleanupPlan {
  /**
   * terminating: clean up; gone: the Secret (of this uid) no longer exists;
   * finalizer-absent: our finalizer is already off; not-terminating: nobody deleted it (never clean up).
   */
  status: 'terminating' | 'gone' | 'finalizer-absent' | 'not-terminating';
  secret: SecretRef;
  /** The Secret's `app` label. */
  app?: string;
  users: ServiceUserRef[];
  /** Annotations that make cleanup impossible, e.g. a Kafka user without its pool. */
  problems: string[];
  /** serviceUserKey → "<namespace>/<name>" of another live managed Secret pointing at the same user. */
  referencedBy: Record<string, string>;
}

export interface UserReferencesInput {
  users: ServiceUserRef[];
  /** The Secret being finalized, which does not count. */
  exclude?: SecretRef;
}

/** Where an event about a deleted user goes (the Secret or the AivenApplication). */
export interface EventRegarding {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface DeleteUserInput {
  user: ServiceUserRef;
  /** Why, for the log and the event (e.g. "Secret ns/x deleted"). */
  reason: string;
  regarding?: EventRegarding;
}

export interface SecretEventInput {
  secret: SecretRef;
  reason: string;
  note: string;
  type?: 'Normal' | 'Warning';
}

export interface CapturedSecretUsers {
  /** Secret name → users its annotations name, for the Secrets that exist. */
  users: Record<string, ServiceUserRef[]>;
  /** How long a user replaced in a Secret that kept its name lives on, so running pods can roll over. */
  replacedUserGraceMs: number;
  /** Retirement forced this long after the rewrite even while old pods run; absent or 0: never. */
  replacedUserMaxAgeMs?: number;
  /** How often retirement looks at the pods again. */
  replacedUserRecheckMs?: number;
}

/** An entry whose sync failed, with the generation the pass ran for (user names derive from it). */
export interface FailedSyncInput {
  app: AppRef & { generation: number };
  entry: SecretEntry;
}

export interface JanitorSweepInput {
  /** One namespace (the controller's scope); all namespaces when absent. */
  namespace?: string;
  /** The per-application pass: only this application's Secrets (label app=<name>) in its namespace. */
  app?: AppRef & { uid?: string };
}

export interface JanitorSweepResult {
  scope: 'app' | 'namespace' | 'cluster';
  /** Set when a list call failed: nothing was deleted. */
  skipped?: string;
  considered: number;
  /** "<namespace>/<name>" of deleted Secrets (at most 50; see deletedCount). */
  deleted: string[];
  deletedCount: number;
  /** Deletes that failed (logged; tried again by the next sweep). */
  failed: number;
  terminating: number;
  kept: { in_use: number; protected: number; 'protected-with-time-limit': number };
}

// ---------------------------------------------------------------------------
// OpenSearch ACL changes, serialised per service across the fleet
// ---------------------------------------------------------------------------

/** One edit of an OpenSearch service's ACL config: grant a user its rules, or remove its entry. */
export interface OpenSearchAclChange {
  project: string;
  service: string;
  username: string;
  op: 'grant' | 'revoke';
  /** For grant: the entry's access (read, readwrite, write, admin). */
  access?: string;
}

/** changed: the config was written; unchanged: nothing to do; absent: the service (or its ACL) is gone. */
export type OpenSearchAclChangeResult = 'changed' | 'unchanged' | 'absent';

/** A change that failed on its own (the rest of its batch may have gone through): type and retryability for the caller. */
export interface OpenSearchAclChangeFailure {
  type: string;
  message: string;
  nonRetryable: boolean;
}

export type OpenSearchAclChangeOutcome = { result: OpenSearchAclChangeResult } | { failure: OpenSearchAclChangeFailure };
/** Which pods may still hold what Secrets contained before a rewrite (workflows/compensation.ts retirement). */
export interface OldCredentialHoldersInput {
  namespace: string;
  secretNames: string[];
  /** RFC 3339: when the Secrets were rewritten. */
  rewrittenAt: string;
}

export interface OldCredentialHolders {
  count: number;
  /** The first few, by name. */
  pods: { pod: string; secretName: string; startedAt: string }[];
}
