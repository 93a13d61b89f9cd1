// The points where Aivenator's work is counted. The worker and controller pass
// a Prometheus-backed implementation; tests and tools use the no-op one.

export interface MetricsHooks {
  /** A pass that did work ended (synchronization_state RolloutComplete | RolloutFailed): its time and reason. */
  passFinished(state: 'RolloutComplete' | 'RolloutFailed', reason: string, seconds: number): void;
  /** A sync activity for one handler ran. */
  handlerFinished(handler: string, seconds: number): void;
  serviceUserCreated(project: string, service: string): void;
  serviceUserDeleted(project: string, service: string): void;
  serviceUserUpdated(project: string, service: string): void;
  kubernetesWritten(namespace: string, resourceType: string): void;
  kubernetesNotWritten(namespace: string, resourceType: string): void;
  kubernetesDeleted(namespace: string, resourceType: string): void;
  /** Every reconcile pass, up to date or not, with the state the application is left in (Go's aiven_applications_processed). */
  applicationProcessed?(state: string): void;
  /** A failed pass will run again by itself (a transient failure): the reference's "requeued". */
  passRequeued?(state: 'RolloutComplete' | 'RolloutFailed'): void;
  /** The janitor's census of managed Secrets (reference `secrets_managed`). */
  secretsManaged?(counts: SecretsManagedCounts): void;
  /** A janitor sweep was skipped because a list call failed (scope app | namespace | cluster; what could not be listed). */
  janitorSweepSkipped?(scope: string, list: string): void;
  /** Earliest not-after of an application's Kafka client certificates, in Unix seconds, so alerts fire long before expiry. */
  certificateExpiry?(namespace: string, app: string, unixSeconds: number): void;
  /** A credential health check found drift (kind: SecretMissing, KeysMissing, AnnotationMissing, UserMissing); each is repaired. */
  driftDetected?(kind: string): void;
  /** A user deletion refused for want of provenance (reason: no-owner, name-mismatch, service-not-owned, ...). */
  cleanupRefused?(reason: string): void;
  /** How to count the open user releases (retirements waiting for pods, a grace or Aiven), all or only those started before a time; asked at each scrape. */
  countPendingReleases?(count: (startedBefore?: Date) => Promise<number>): void;
}

/** States of `aivenator_secrets_managed`, as the reference names them. */
export interface SecretsManagedCounts {
  in_use: number;
  protected: number;
  'protected-with-time-limit': number;
}

export const noopMetrics: MetricsHooks = {
  passFinished: () => undefined,
  handlerFinished: () => undefined,
  serviceUserCreated: () => undefined,
  serviceUserDeleted: () => undefined,
  serviceUserUpdated: () => undefined,
  kubernetesWritten: () => undefined,
  kubernetesNotWritten: () => undefined,
  kubernetesDeleted: () => undefined,
};
