// The AivenApplication custom resource (aiven.nais.io/v1), as NAIS's liberator
// defines it. Field order matters: the spec hash serialises fields in this order.

export type AccessLevel = 'read' | 'write' | 'readwrite' | 'admin';

export interface KafkaSpec {
  pool: string;
  secretName?: string;
}

export interface OpenSearchSpec {
  instance?: string;
  access?: AccessLevel | string;
  secretName?: string;
}

export interface ValkeySpec {
  instance?: string;
  access?: AccessLevel | string;
  secretName?: string;
}

export interface AivenApplicationSpec {
  secretName?: string;
  protected?: boolean;
  expiresAt?: string;
  kafka?: KafkaSpec;
  openSearch?: OpenSearchSpec;
  valkey?: ValkeySpec[];
}

export type ConditionType = 'Succeeded' | 'AivenFailure' | 'LocalFailure' | 'Deprecated';

export interface AivenApplicationCondition {
  type: ConditionType | string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  reason?: string;
  message?: string;
}

export type SynchronizationState = 'RolloutComplete' | 'RolloutFailed';

export interface AivenApplicationStatus {
  synchronizationHash?: string;
  synchronizationSecretName?: string;
  synchronizationState?: SynchronizationState;
  synchronizationTime?: string;
  synchronizedGeneration?: number;
  observedGeneration?: number;
  conditions?: AivenApplicationCondition[];
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  creationTimestamp?: string;
}

export interface AivenApplication {
  apiVersion: 'aiven.nais.io/v1';
  kind: 'AivenApplication';
  metadata: ObjectMeta;
  spec: AivenApplicationSpec;
  status?: AivenApplicationStatus;
}

export const AIVENAPP = {
  group: 'aiven.nais.io',
  version: 'v1',
  plural: 'aivenapplications',
  kind: 'AivenApplication',
} as const;
