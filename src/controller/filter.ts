// The reference's event filter: which AivenApplication updates need a reconcile.
import { AivenApplication } from '../kube/aivenapp-types';

export interface AppFingerprint {
  generation: number;
  labels: string;
  annotations: string;
  hash: string;
}

export function fingerprint(app: AivenApplication): AppFingerprint {
  return {
    generation: app.metadata.generation ?? 0,
    labels: canonical(app.metadata.labels),
    annotations: canonical(app.metadata.annotations),
    hash: app.status?.synchronizationHash ?? '',
  };
}

/** Why an update needs a reconcile, or undefined when it does not (e.g. a status-only change). */
export function updateReason(before: AppFingerprint | undefined, after: AppFingerprint): string | undefined {
  if (!before) return 'Created';
  if (before.generation !== after.generation) return 'GenerationChanged';
  if (before.labels !== after.labels) return 'LabelsChanged';
  if (before.annotations !== after.annotations) return 'AnnotationsChanged';
  // Clearing the hash is how an operator forces a resync.
  if (before.hash !== '' && after.hash === '') return 'HashCleared';
  return undefined;
}

function canonical(map: Record<string, string> | undefined): string {
  return JSON.stringify(Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
