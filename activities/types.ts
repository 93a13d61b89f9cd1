// What crosses the workflow/activity boundary, and so lands in Temporal's
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

export interface AivenatorActivities {
  loadApplication(ref: AppRef): Promise<AppSnapshot | null>;
  expireApplication(app: AppRef & { uid: string; expiresAt: string }): Promise<void>;
  syncKafkaSecret(input: SyncSecretInput): Promise<SyncSecretResult>;
  syncOpenSearchSecret(input: SyncSecretInput): Promise<SyncSecretResult>;
  syncValkeySecret(input: SyncSecretInput): Promise<SyncSecretResult>;
  finishPass(input: FinishPassInput): Promise<void>;
}

/** ApplicationFailure types the activities throw; the workflow decides on them. */
export const FailureTypes = {
  InvalidSpec: 'InvalidSpec',
  SecretNotManaged: 'SecretNotManaged',
  InstanceNotFound: 'InstanceNotFound',
  InstanceNotReady: 'InstanceNotReady',
  KubernetesError: 'KubernetesError',
  AivenPermanentError: 'AivenPermanentError',
  AivenRetryableError: 'AivenRetryableError',
  AivenRateLimited: 'AivenRateLimited',
  AivenNotFound: 'AivenNotFound',
  AivenAlreadyExists: 'AivenAlreadyExists',
} as const;
