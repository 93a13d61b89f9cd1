import { SIGNATURE_ANNOTATION, SignedClaim, deriveSigningKey, hasValidSignature, signClaim, signatureAnnotation } from '../../../src/provenance/signature';

const claim: SignedClaim = { namespace: 'orders', secretName: 'checkout-kafka', kind: 'kafka', service: '', project: 'dev-nais-dev', username: 'orders_checkout_2a05be48_FVk' };

describe('provenance signature', () => {
  const key = deriveSigningKey({ aivenToken: 'token-a' })!;

  it('derives one key per token (every replica agrees) and prefers an explicit key', () => {
    expect(deriveSigningKey({ aivenToken: 'token-a' })!.equals(key)).toBe(true);
    expect(deriveSigningKey({ aivenToken: 'token-b' })!.equals(key)).toBe(false);
    expect(deriveSigningKey({ signingKey: 'k', aivenToken: 'token-a' })!.equals(key)).toBe(false);
    expect(deriveSigningKey({})).toBeUndefined();
    expect(key).toHaveLength(32);
  });

  it('verifies its own signature, among several in the annotation', () => {
    const other = { ...claim, username: 'x' };
    const value = signatureAnnotation(key, [other, claim])[SIGNATURE_ANNOTATION];
    expect(hasValidSignature(key, claim, value)).toBe(true);
    expect(hasValidSignature(key, claim, signClaim(key, claim))).toBe(true);
  });

  it.each([
    ['another namespace', { namespace: 'analytics' }],
    ['another Secret', { secretName: 'thief-kafka' }],
    ['another kind', { kind: 'valkey' as const }],
    ['another service', { service: 'kafka' }],
    ['another project', { project: 'other' }],
    ['another user', { username: 'orders_checkout_2a05be48_XXX' }],
  ])('refuses a copied signature for %s', (_what, change) => {
    expect(hasValidSignature(key, { ...claim, ...change }, signClaim(key, claim))).toBe(false);
  });

  it('refuses a missing, malformed or foreign-key signature', () => {
    expect(hasValidSignature(key, claim, undefined)).toBe(false);
    expect(hasValidSignature(key, claim, '')).toBe(false);
    expect(hasValidSignature(key, claim, 'v1.garbage')).toBe(false);
    expect(hasValidSignature(key, claim, signClaim(deriveSigningKey({ aivenToken: 'attacker' })!, claim))).toBe(false);
  });

  it('writes nothing for no users', () => {
    expect(signatureAnnotation(key, [])).toEqual({});
  });
});
