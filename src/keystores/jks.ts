// A minimal writer for Java KeyStore (JKS) trust stores.
//
// No npm package writes JKS, and the format is small. What java.security's
// JavaKeyStore (sun.security.provider.JavaKeyStore.engineStore) writes, all
// integers big-endian (java.io.DataOutputStream):
//
//   u32  magic        0xFEEDFEED
//   u32  version      2
//   u32  entry count
//   per entry (trusted certificate):
//     u32  tag        2  (1 would be a private-key entry)
//     UTF  alias      writeUTF: u16 byte length + modified UTF-8
//     u64  date       creation time, ms since the epoch
//     UTF  cert type  "X.509"
//     u32  length     of the DER certificate
//     ...  DER certificate
//   20   SHA-1 over ( password as UTF-16BE ‖ "Mighty Aphrodite" ‖ all bytes above )
//
// JKS aliases are case-insensitive: Java lower-cases them (Locale.ENGLISH) on
// store and load, so we write them lower-cased too and reject duplicates.

import * as crypto from 'crypto';

export interface JksTrustedCertEntry {
  /** Entry name, e.g. "ca". Stored lower-cased, as Java does. */
  alias: string;
  /** Exactly one PEM "CERTIFICATE" block. */
  certPem: string;
}

const JKS_MAGIC = 0xfeedfeed;
const JKS_VERSION_2 = 2;
const TAG_TRUSTED_CERT = 2;
const DIGEST_WHITENER = 'Mighty Aphrodite';

/** Every DER certificate in a PEM text, in order. */
export function pemCertificatesToDer(pem: string): Buffer[] {
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  const out: Buffer[] = [];
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    const b64 = m[1]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error('PEM certificate has invalid base64');
    out.push(Buffer.from(b64, 'base64'));
  }
  return out;
}

/** Java's DataOutputStream.writeUTF: u16 length, then modified UTF-8 (NUL as C0 80, astral chars as two 3-byte surrogates). */
export function javaModifiedUtf8(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i); // UTF-16 code units, exactly what Java iterates over
    if (c >= 0x0001 && c <= 0x007f) {
      bytes.push(c);
    } else if (c <= 0x07ff) {
      bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    } else {
      bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    }
  }
  if (bytes.length > 0xffff) throw new RangeError('string too long for Java writeUTF (> 65535 bytes)');
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  Buffer.from(bytes).copy(out, 2);
  return out;
}

/** The password as Java feeds it to the integrity digest: each UTF-16 code unit as two big-endian bytes. */
function passwordUtf16Be(password: string): Buffer {
  const b = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) b.writeUInt16BE(password.charCodeAt(i), i * 2);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/**
 * A JKS file holding one trusted-certificate entry per input (what
 * `keytool -importcert` produces), protected by `password` (integrity only:
 * JKS trust stores are not encrypted).
 */
export function writeJksTrustStore(entries: JksTrustedCertEntry[], password: string, now: Date = new Date()): Buffer {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  const created = now.getTime();
  if (!Number.isFinite(created)) throw new RangeError('now is not a valid Date');

  const parts: Buffer[] = [u32(JKS_MAGIC), u32(JKS_VERSION_2), u32(entries.length)];
  const seen = new Set<string>();
  for (const { alias, certPem } of entries) {
    const name = alias.toLowerCase();
    if (name === '') throw new Error('JKS alias must not be empty');
    if (seen.has(name)) throw new Error(`duplicate JKS alias ${JSON.stringify(name)} (aliases are case-insensitive)`);
    seen.add(name);

    const ders = pemCertificatesToDer(certPem);
    if (ders.length !== 1) {
      throw new Error(`JKS entry ${JSON.stringify(name)} needs exactly one PEM certificate, got ${ders.length}`);
    }
    const der = ders[0]!;
    try {
      new crypto.X509Certificate(der);
    } catch (e) {
      throw new Error(`JKS entry ${JSON.stringify(name)} is not a valid X.509 certificate: ${(e as Error).message}`);
    }

    const date = Buffer.alloc(8);
    date.writeBigInt64BE(BigInt(created), 0);
    parts.push(u32(TAG_TRUSTED_CERT), javaModifiedUtf8(name), date, javaModifiedUtf8('X.509'), u32(der.length), der);
  }

  const body = Buffer.concat(parts);
  const digest = crypto
    .createHash('sha1')
    .update(passwordUtf16Be(password))
    .update(Buffer.from(DIGEST_WHITENER, 'utf8'))
    .update(body)
    .digest();
  return Buffer.concat([body, digest]);
}
