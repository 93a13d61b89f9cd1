// The activity contract the workflows proxy: its argument and result types live in src/model.
import type {
  AppRef,
  AppSnapshot,
  DeleteUserInput,
  FailedSyncInput,
  FinishPassInput,
  FinishPassSummary,
  JanitorSweepInput,
  JanitorSweepResult,
  OpenSearchAclChange,
  OpenSearchAclChangeOutcome,
  OldCredentialHolders,
  OldCredentialHoldersInput,
  SecretCleanupPlan,
  SecretEventInput,
  SecretRef,
  ServiceUserRef,
  SyncSecretInput,
  SyncSecretResult,
  UserReferencesInput,
} from '../src/model/types';
import type { CredentialCheckInput, CredentialReport, RenewalInput, RenewalResult, RepairInput, RepairResult } from '../src/model/health';
export interface CredentialHealthActivities {
  checkCredentials(input: CredentialCheckInput): Promise<CredentialReport>;
  renewKafkaCertificate(input: RenewalInput): Promise<RenewalResult>;
  repairSecretInPlace(input: RepairInput): Promise<RepairResult>;
}

export interface AivenatorActivities extends CredentialHealthActivities {
  loadApplication(ref: AppRef): Promise<AppSnapshot | null>;
  expireApplication(app: AppRef & { uid: string; expiresAt: string }): Promise<void>;
  syncKafkaSecret(input: SyncSecretInput): Promise<SyncSecretResult>;
  syncOpenSearchSecret(input: SyncSecretInput): Promise<SyncSecretResult>;
  syncValkeySecret(input: SyncSecretInput): Promise<SyncSecretResult>;
  finishPass(input: FinishPassInput): Promise<FinishPassSummary>;
  // Secret lifecycle (issue 4): see activities/finalizer.ts and activities/janitor.ts.
  planSecretCleanup(secret: SecretRef): Promise<SecretCleanupPlan>;
  findServiceUserReferences(input: UserReferencesInput): Promise<Record<string, string>>;
  /** With the owner (DeleteUserInput) or, from older callers, the bare user; 'kept' / 'refused' without provenance. */
  removeOpenSearchAclEntry(input: ServiceUserRef | DeleteUserInput): Promise<'removed' | 'absent' | 'kept' | 'refused'>;
  /** 'kept': another live Secret of the same namespace names the user; 'refused': not proven to belong to `regarding`. */
  deleteAivenServiceUser(input: DeleteUserInput): Promise<'deleted' | 'absent' | 'kept' | 'refused'>;
  removeSecretFinalizer(secret: SecretRef): Promise<'removed' | 'absent' | 'gone'>;
  recordSecretEvent(input: SecretEventInput): Promise<void>;
  findFailedSyncUser(input: FailedSyncInput): Promise<ServiceUserRef | null>;
  janitorSweep(input: JanitorSweepInput): Promise<JanitorSweepResult>;
  /** One read-modify-write for a batch of one service's ACL changes; run only by its ACL workflow (workflows/opensearch-acl.ts). */
  applyOpenSearchAclChanges(changes: OpenSearchAclChange[]): Promise<OpenSearchAclChangeOutcome[]>;
  findOldCredentialHolders(input: OldCredentialHoldersInput): Promise<OldCredentialHolders>;
}
