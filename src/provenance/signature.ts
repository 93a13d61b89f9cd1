// Aivenator's signature on what it writes: an HMAC-SHA256 over one Secret's
// claim to one Aiven user (namespace, Secret name, service kind, service,
// project, user), with a key only Aivenator holds. A tenant can copy a
// signature but not make one, and a copied signature is only valid for the
// same Secret in the same namespace naming the same user. Pure.
import * as crypto from 'node:crypto';
import { SIGNATURE_ANNOTATION } from '../handlers/secret-meta';

/** One value per service entry the Secret holds, space-separated (a Valkey Secret may hold several users). */
export { SIGNATURE_ANNOTATION };
const VERSION = 'v1';
const KEY_BYTES = 32;

export interface SignedClaim {
  namespace: string;
  secretName: string;
  kind: 'kafka' | 'opensearch' | 'valkey';
  /** Empty for Kafka: its Secrets record the pool, not the service. */
  service: string;
  project: string;
  username: string;
}

/**
 * The signing key: AIVENATOR_SIGNING_KEY when set, otherwise derived from the
 * Aiven token with HKDF, so every replica holding the token agrees on it
 * without new configuration (and a tenant, who never sees the token, cannot).
 */
export function deriveSigningKey(opts: { signingKey?: string; aivenToken?: string }): Buffer | undefined {
  const ikm = opts.signingKey || opts.aivenToken;
  if (!ikm) return undefined;
  return Buffer.from(crypto.hkdfSync('sha256', ikm, 'aivenator', 'aivenator secret provenance v1', KEY_BYTES));
}

export function signClaim(key: Buffer, claim: SignedClaim): string {
  const payload = JSON.stringify([VERSION, claim.namespace, claim.secretName, claim.kind, claim.service, claim.project, claim.username]);
  return `${VERSION}.${crypto.createHmac('sha256', key).update(payload).digest('base64url')}`;
}

/** True when one of the annotation's signatures is the claim's (compared in constant time). */
export function hasValidSignature(key: Buffer, claim: SignedClaim, annotation: string | undefined): boolean {
  if (!annotation) return false;
  const expected = Buffer.from(signClaim(key, claim));
  let valid = false;
  for (const sig of annotation.split(/\s+/)) {
    const given = Buffer.from(sig);
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) valid = true;
  }
  return valid;
}

/** The annotation value for the users one write puts in a Secret. */
export function signatureAnnotation(key: Buffer, claims: SignedClaim[]): Record<string, string> {
  if (claims.length === 0) return {};
  return { [SIGNATURE_ANNOTATION]: claims.map((c) => signClaim(key, c)).join(' ') };
}
