// Issues and rotates service-user credentials (password, and for Kafka a client
// certificate + key signed by the project CA), recording each value in the ledger.

import type { ServiceType } from '../aiven/types';
import type { SecretLedger, SecretOwner } from './ledger';
import { generatePassword, issueClientCertificate, rfc3339, type KeySource, type ProjectCa } from './pki';

export interface KafkaCredentials {
  certificate: string;
  privateKey: string;
  notAfter: Date;
}

export interface UserRecord {
  username: string;
  type: 'primary' | 'normal';
  password: string;
  passwordUpdatedTime: string;
  /** Kafka only. */
  kafka?: KafkaCredentials;
  /** Kafka only: not-after of the previous certificate while a renewal is unacknowledged. */
  expiringCertNotAfter?: Date;
  /** Stored exactly as given (same key order, no defaults added). */
  accessControl?: Record<string, unknown>;
  /** Eventual consistency still to play out for this user (see lag.ts). */
  lag?: UserLag;
}

export interface UserLag {
  /** Reads of the user that still answer 404. */
  notFoundReads: number;
  /** Answers carrying the password that still carry an empty one. */
  emptyPasswordAnswers: number;
}

export interface CredentialContext {
  ca: ProjectCa;
  keySource: KeySource;
  ledger: SecretLedger;
  owner: SecretOwner;
  serviceType: ServiceType;
}

async function newKafkaCredentials(ctx: CredentialContext): Promise<KafkaCredentials> {
  const issued = await issueClientCertificate(ctx.ca, ctx.owner.username, ctx.keySource);
  ctx.ledger.record('private_key', ctx.owner, issued.privateKey);
  ctx.ledger.record('certificate', ctx.owner, issued.certificate);
  return { certificate: issued.certificate, privateKey: issued.privateKey, notAfter: issued.notAfter };
}

function newPassword(ctx: CredentialContext, given?: string): string {
  const password = given ?? generatePassword();
  ctx.ledger.record('password', ctx.owner, password);
  return password;
}

export async function newUserRecord(
  ctx: CredentialContext,
  opts: { type: 'primary' | 'normal'; password?: string; accessControl?: Record<string, unknown> },
): Promise<UserRecord> {
  const record: UserRecord = {
    username: ctx.owner.username,
    type: opts.type,
    password: newPassword(ctx, opts.password),
    passwordUpdatedTime: rfc3339(new Date()),
  };
  // Kafka users authenticate with certificates; they get a password too (Schema Registry, SASL).
  if (ctx.serviceType === 'kafka') record.kafka = await newKafkaCredentials(ctx);
  if (opts.accessControl !== undefined) record.accessControl = structuredClone(opts.accessControl);
  return record;
}

/** reset-credentials: new password (or the given one) and, for Kafka, a new certificate and key. */
export async function resetCredentials(ctx: CredentialContext, record: UserRecord, newPasswordValue?: string): Promise<void> {
  const kafka = ctx.serviceType === 'kafka' ? await newKafkaCredentials(ctx) : undefined;
  record.password = newPassword(ctx, newPasswordValue);
  record.passwordUpdatedTime = rfc3339(new Date());
  if (kafka) {
    record.kafka = kafka;
    record.expiringCertNotAfter = undefined;
  }
}

/**
 * Simulates Aiven's automatic renewal ~3 months before expiry: a new certificate
 * and key replace the current ones, and the old certificate's end date is kept
 * in expiring_cert_not_valid_after_time until the user acknowledges the renewal.
 */
export async function startRenewal(ctx: CredentialContext, record: UserRecord): Promise<void> {
  if (!record.kafka) throw new Error('only Kafka users have certificates to renew');
  const previousNotAfter = record.kafka.notAfter;
  record.kafka = await newKafkaCredentials(ctx);
  // A second renewal before acknowledgement keeps the oldest still-valid end date.
  record.expiringCertNotAfter ??= previousNotAfter;
}

export function acknowledgeRenewal(record: UserRecord): void {
  record.expiringCertNotAfter = undefined;
}
