// Boundary types of the credential-health activities (drift and Kafka
// certificate renewal): names and times only.
import type { AppRef, SecretEntry, SyncSecretInput } from './types';

export type DriftKind = 'SecretMissing' | 'KeysMissing' | 'AnnotationMissing' | 'UserMissing';

export interface DriftFinding {
  secretName: string;
  kind: DriftKind;
  /** What drifted, by name: missing key names or the missing user. */
  detail: string;
  /** Where the Secret says its user lives (KeysMissing with the user still in Aiven): what an in-place repair reuses. */
  user?: { project: string; serviceName: string; username: string };
}

export interface RenewalTarget {
  secretName: string;
  project: string;
  serviceName: string;
  username: string;
}

export interface CredentialCheckInput {
  app: AppRef & { uid: string };
  entries: SecretEntry[];
}

export interface CredentialReport {
  findings: DriftFinding[];
  renewals: RenewalTarget[];
  /** Earliest not-after of the application's Kafka client certificates (RFC 3339). */
  earliestCertExpiry?: string;
}

export interface RenewalInput extends SyncSecretInput {
  username: string;
}

export interface RenewalResult {
  secretName: string;
  username: string;
  acknowledged: boolean;
  certNotAfter?: string;
}

/** Write a Secret that lost keys again, with the user it names (activities/repair.ts). */
export interface RepairInput extends SyncSecretInput {
  project: string;
  serviceName: string;
  username: string;
}

export interface RepairResult {
  secretName: string;
  repaired: boolean;
  /** Why it was not repaired in place (a normal sync of the entry follows). */
  why?: string;
}
