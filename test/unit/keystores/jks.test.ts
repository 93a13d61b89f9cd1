import * as crypto from 'crypto';
import { javaModifiedUtf8, pemCertificatesToDer, writeJksTrustStore } from '../../../src/keystores/jks';
import { derOf, fingerprint256, makeCa, makeClient, run, tempDir, TestIdentity } from './test-pki';

/** An independent JKS reader (trusted-certificate entries only), following the format in src/keystores/jks.ts. */
function readJks(buf: Buffer, password: string) {
  let off = 0;
  const u16 = () => ((off += 2), buf.readUInt16BE(off - 2));
  const u32 = () => ((off += 4), buf.readUInt32BE(off - 4));
  const bytes = (n: number) => ((off += n), buf.subarray(off - n, off));
  const utf = () => bytes(u16());
  const magic = u32();
  const version = u32();
  const count = u32();
  const entries: { tag: number; aliasBytes: Buffer; date: bigint; type: string; der: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const tag = u32();
    const aliasBytes = utf();
    const date = buf.readBigInt64BE(off);
    off += 8;
    const type = utf().toString('utf8');
    const der = bytes(u32());
    entries.push({ tag, aliasBytes, date, type, der });
  }
  const body = buf.subarray(0, off);
  const digest = buf.subarray(off);
  const pw = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  const want = crypto.createHash('sha1').update(pw).update('Mighty Aphrodite', 'utf8').update(body).digest();
  return { magic, version, count, entries, digestOk: digest.length === 20 && digest.equals(want) };
}

describe('writeJksTrustStore', () => {
  let ca: TestIdentity;
  let other: TestIdentity;
  const tmp = tempDir();

  beforeAll(() => {
    ca = makeCa('Aiven Project CA');
    other = makeCa('Second CA');
  });
  afterAll(() => tmp.cleanup());

  it('writes the JKS layout: magic, version 2, trusted-cert entries, SHA-1 integrity digest', () => {
    const now = new Date('2025-03-04T05:06:07.089Z');
    const buf = writeJksTrustStore([{ alias: 'ca', certPem: ca.certPem }], 'changeit', now);
    expect(buf.readUInt32BE(0)).toBe(0xfeedfeed);
    const jks = readJks(buf, 'changeit');
    expect(jks).toMatchObject({ magic: 0xfeedfeed, version: 2, count: 1, digestOk: true });
    const [e] = jks.entries;
    expect(e!.tag).toBe(2);
    expect(e!.aliasBytes.toString('utf8')).toBe('ca');
    expect(e!.date).toBe(BigInt(now.getTime()));
    expect(e!.type).toBe('X.509');
    expect(e!.der.equals(derOf(ca.certPem))).toBe(true);
    expect(readJks(buf, 'wrong').digestOk).toBe(false);
  });

  it('keytool lists it as a trustedCertEntry with the same certificate, and exports it back', () => {
    const file = tmp.write('trust.jks', writeJksTrustStore([{ alias: 'ca', certPem: ca.certPem }], 'store-pass-123'));
    const list = run('keytool', ['-list', '-keystore', file, '-storetype', 'JKS', '-storepass', 'store-pass-123']);
    expect(list.out).toMatch(/Your keystore contains 1 entry/);
    expect(list.out).toMatch(/^ca, .*, trustedCertEntry,/m);
    expect(list.out).toContain(fingerprint256(ca.certPem));
    expect(list.ok).toBe(true);

    const exported = run('keytool', ['-exportcert', '-rfc', '-alias', 'ca', '-keystore', file, '-storetype', 'JKS', '-storepass', 'store-pass-123']);
    expect(exported.ok).toBe(true);
    expect(pemCertificatesToDer(exported.out)[0]!.equals(derOf(ca.certPem))).toBe(true);
  });

  it('keytool refuses a wrong password', () => {
    const file = tmp.write('trust-wrong.jks', writeJksTrustStore([{ alias: 'ca', certPem: ca.certPem }], 'right-password'));
    const res = run('keytool', ['-list', '-keystore', file, '-storetype', 'JKS', '-storepass', 'wrong-password']);
    expect(res.ok).toBe(false);
    expect(res.out).toMatch(/tampered with, or password was incorrect/);
  });

  it('holds several entries; aliases are lower-cased like Java does', () => {
    const buf = writeJksTrustStore(
      [
        { alias: 'CA', certPem: ca.certPem },
        { alias: 'Second', certPem: other.certPem },
      ],
      'pw-pw-pw',
    );
    const jks = readJks(buf, 'pw-pw-pw');
    expect(jks.digestOk).toBe(true);
    expect(jks.entries.map((e) => e.aliasBytes.toString('utf8'))).toEqual(['ca', 'second']);
    const file = tmp.write('multi.jks', buf);
    const list = run('keytool', ['-list', '-keystore', file, '-storetype', 'JKS', '-storepass', 'pw-pw-pw']);
    expect(list.ok).toBe(true);
    expect(list.out).toMatch(/Your keystore contains 2 entries/);
    expect(list.out).toMatch(/^ca, .*trustedCertEntry/m);
    expect(list.out).toMatch(/^second, .*trustedCertEntry/m);
  });

  it('digests the password as UTF-16BE (non-ASCII and astral passwords)', () => {
    const pw = 'pässwörd-😀';
    const jks = readJks(writeJksTrustStore([{ alias: 'ca', certPem: ca.certPem }], pw), pw);
    expect(jks.digestOk).toBe(true);
  });

  it('an empty trust store is valid', () => {
    const file = tmp.write('empty.jks', writeJksTrustStore([], 'empty-pass'));
    const list = run('keytool', ['-list', '-keystore', file, '-storetype', 'JKS', '-storepass', 'empty-pass']);
    expect(list.ok).toBe(true);
    expect(list.out).toMatch(/Your keystore contains 0 entries/);
  });

  it('rejects bad input', () => {
    const client = makeClient(ca);
    expect(() => writeJksTrustStore([{ alias: 'ca', certPem: 'not a pem' }], 'p')).toThrow(/exactly one PEM certificate, got 0/);
    expect(() => writeJksTrustStore([{ alias: 'ca', certPem: ca.certPem + client.certPem }], 'p')).toThrow(/got 2/);
    expect(() =>
      writeJksTrustStore(
        [
          { alias: 'ca', certPem: ca.certPem },
          { alias: 'CA', certPem: other.certPem },
        ],
        'p',
      ),
    ).toThrow(/duplicate JKS alias/);
    expect(() => writeJksTrustStore([{ alias: '', certPem: ca.certPem }], 'p')).toThrow(/empty/);
    const garbage = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(() => writeJksTrustStore([{ alias: 'ca', certPem: garbage }], 'p')).toThrow(/not a valid X.509/);
    expect(() => writeJksTrustStore([{ alias: 'ca', certPem: ca.certPem }], 'p', new Date(NaN))).toThrow();
  });
});

describe('javaModifiedUtf8', () => {
  it('matches DataOutputStream.writeUTF', () => {
    expect(javaModifiedUtf8('ca').toString('hex')).toBe('00026361');
    expect(javaModifiedUtf8('').toString('hex')).toBe('0000');
    expect(javaModifiedUtf8('\u0000').toString('hex')).toBe('0002c080');
    expect(javaModifiedUtf8('é').toString('hex')).toBe('0002c3a9');
    expect(javaModifiedUtf8('€').toString('hex')).toBe('0003e282ac');
    // U+1F600 as two 3-byte surrogates (CESU-8), not 4-byte UTF-8
    expect(javaModifiedUtf8('😀').toString('hex')).toBe('0006eda0bdedb880');
    expect(() => javaModifiedUtf8('a'.repeat(65536))).toThrow(RangeError);
  });
});
