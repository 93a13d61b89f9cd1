// Which key signs and verifies: the one the worker was given (from
// AIVENATOR_SIGNING_KEY, or derived from the Aiven token: see signature.ts).
// Without one (tools, tests that build activities by hand) a random key for
// this process: its signatures verify only here, and unsigned-style proof by
// name still applies elsewhere, so nothing becomes deletable by mistake.
import * as crypto from 'node:crypto';

let processKey: Buffer | undefined;

export function signingKey(deps: { signingKey?: Buffer }): Buffer {
  if (deps.signingKey && deps.signingKey.length > 0) return deps.signingKey;
  processKey ??= crypto.randomBytes(32);
  return processKey;
}
