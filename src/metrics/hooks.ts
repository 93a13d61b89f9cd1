// The points where Aivenator's work is counted. The worker and controller pass
// a Prometheus-backed implementation; tests and tools use the no-op one.

export interface MetricsHooks {
  /** A reconcile pass ended (synchronization_state RolloutComplete | RolloutFailed). */
  passFinished(state: 'RolloutComplete' | 'RolloutFailed', reason: string, seconds: number): void;
  /** A sync activity for one handler ran. */
  handlerFinished(handler: string, seconds: number): void;
  serviceUserCreated(project: string, service: string): void;
  serviceUserDeleted(project: string, service: string): void;
  serviceUserUpdated(project: string, service: string): void;
  kubernetesWritten(namespace: string, resourceType: string): void;
  kubernetesNotWritten(namespace: string, resourceType: string): void;
  kubernetesDeleted(namespace: string, resourceType: string): void;
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
