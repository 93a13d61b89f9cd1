// The last guard before credentials become Secret data: an empty, null or
// redacted value is never written (a Secret with an empty password looks fine
// to Kubernetes and breaks the application at runtime). Aiven answers such
// values right after a create or a password change; the activities retry.
import { MissingUserCredentialError } from './secret-meta';

/** What Aiven shows instead of a secret without include_secrets. */
export const REDACTED = '<redacted>';

/** The value, or MissingUserCredentialError when it is not a usable credential. */
export function requireCredential(username: string, field: string, value: string | null | undefined): string {
  if (typeof value !== 'string' || value.trim() === '' || value === REDACTED) {
    throw new MissingUserCredentialError(username, field);
  }
  return value;
}
