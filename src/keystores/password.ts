// KAFKA_CREDSTORE_PASSWORD: one password for both Kafka stores, kept across rewrites.
import * as crypto from 'crypto';

/**
 * The store password for a write: the one the Secret already holds when both
 * stores can use it (non-empty printable ASCII), otherwise a fresh random one.
 */
export function storePasswordFor(existing: string | undefined): string {
  return existing !== undefined && isUsableStorePassword(existing) ? existing : randomStorePassword();
}

export function isUsableStorePassword(password: string): boolean {
  return /^[\x20-\x7e]+$/.test(password);
}

/** A fresh store password: 24 random bytes as base64url (32 characters, URL- and shell-safe). */
export function randomStorePassword(): string {
  return crypto.randomBytes(24).toString('base64url');
}
