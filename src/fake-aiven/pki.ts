// X.509 for the fake: a self-signed CA per project, and certificates it signs.
// Keys come from Node's native generator (async, off the event loop; forge's JS
// keygen is far too slow for benchmarks with 1000+ users). node-forge builds the
// certificate structure; the signature is computed natively as well, because
// forge's JS RSA signing costs ~50 ms of blocked event loop per certificate.

import { createPrivateKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

const DAY_MS = 24 * 60 * 60 * 1000;
/** Aiven's Kafka client certificates are valid for 820 days (aiven-api.md §10). */
export const CLIENT_CERT_VALIDITY_DAYS = 820;
const CA_VALIDITY_DAYS = 10 * 365;

export interface ProjectCa {
  /** PEM. */
  certificate: string;
  /** Kept in memory only, never served. */
  key: KeyObject;
  forgeCert: forge.pki.Certificate;
}

export interface IssuedCertificate {
  certificate: string;
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
  privateKey: string;
  notAfter: Date;
}

export interface PemKeyPair {
  publicKey: string;
  privateKey: string;
}

async function newRsaKeyPair(): Promise<PemKeyPair> {
  return generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/**
 * Where leaf keys come from. Size 0 (the default): a fresh RSA-2048 key per
 * certificate, as Aiven does. Size N > 0: rotate through N keys generated on first
 * use, so benchmarks with thousands of Kafka users are not bound by RSA keygen
 * (~100-300 ms of CPU each). Certificates stay unique either way.
 */
export class KeySource {
  private pool: Promise<PemKeyPair>[] = [];
  private next = 0;

  constructor(private readonly poolSize: () => number = () => 0) {}

  get(): Promise<PemKeyPair> {
    const size = this.poolSize();
    if (size <= 0) return newRsaKeyPair();
    if (this.pool.length > size) this.pool.length = size;
    if (this.pool.length < size) {
      const key = newRsaKeyPair();
      this.pool.push(key);
      return key;
    }
    return this.pool[this.next++ % size];
  }
}

/** Positive, minimally encoded DER INTEGER (Java rejects negative serials). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0] & 0x7f || 0x01;
  return bytes.toString('hex');
}

/** X.509 time has second resolution; truncating keeps the reported times exact. */
function nowToSecond(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

/** Exists at runtime in node-forge but is missing from @types/node-forge. */
const pkiWithTbs = forge.pki as typeof forge.pki & {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
};

function signNatively(cert: forge.pki.Certificate, key: KeyObject): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.siginfo.algorithmOid = oid;
  cert.signatureOid = oid;
  const tbs = forge.asn1.toDer(pkiWithTbs.getTBSCertificate(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), key).toString('binary');
}

/**
 * A name attribute encoded as UTF8String, as real CAs (and Go's x509) do.
 * forge's default is PrintableString, which may not hold `_` (every Kafka user
 * name has one): Go's crypto/x509 refuses such a certificate.
 */
function utf8Attribute(name: string, value: string): forge.pki.CertificateField {
  return { name, value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class };
}

export async function createProjectCa(project: string, label = 'Project CA'): Promise<ProjectCa> {
  const keys = await newRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = randomSerial();
  const notBefore = nowToSecond();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + CA_VALIDITY_DAYS * DAY_MS);
  const subject = [utf8Attribute('commonName', `${project} ${label}`), utf8Attribute('organizationName', 'Fake Aiven')];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const key = createPrivateKey(keys.privateKey);
  signNatively(cert, key);
  return { certificate: forge.pki.certificateToPem(cert), key, forgeCert: cert };
}

interface LeafOptions {
  commonName: string;
  validityDays: number;
  extKeyUsage: { clientAuth?: boolean; serverAuth?: boolean };
  /** DNS names / IP addresses for subjectAltName. */
  altNames?: string[];
}

async function issueLeaf(ca: ProjectCa, opts: LeafOptions, keySource: KeySource): Promise<IssuedCertificate> {
  const keys = await keySource.get();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = randomSerial();
  const notBefore = nowToSecond();
  const notAfter = new Date(notBefore.getTime() + opts.validityDays * DAY_MS);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([utf8Attribute('commonName', opts.commonName)]);
  cert.setIssuer(ca.forgeCert.subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', ...opts.extKeyUsage },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.forgeCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (opts.altNames && opts.altNames.length > 0) {
    extensions.push({
      name: 'subjectAltName',
      altNames: opts.altNames.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    });
  }
  cert.setExtensions(extensions);
  signNatively(cert, ca.key);
  return { certificate: forge.pki.certificateToPem(cert), privateKey: keys.privateKey, notAfter };
}

/** A Kafka client certificate: CN = username, 820 days, signed by the project CA. */
export function issueClientCertificate(ca: ProjectCa, username: string, keySource: KeySource): Promise<IssuedCertificate> {
  return issueLeaf(
    ca,
    { commonName: username, validityDays: CLIENT_CERT_VALIDITY_DAYS, extKeyUsage: { clientAuth: true } },
    keySource,
  );
}

/** A TLS server certificate for test servers that must be trusted through the project CA. */
export function issueServerCertificate(ca: ProjectCa, hosts: string[]): Promise<IssuedCertificate> {
  return issueLeaf(
    ca,
    { commonName: hosts[0] ?? 'localhost', validityDays: 365, extKeyUsage: { serverAuth: true, clientAuth: true }, altNames: hosts },
    new KeySource(),
  );
}

const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Aiven-style password: `AVNS_` + 19 random alphanumerics (safe inside URIs). */
export function generatePassword(): string {
  const bytes = randomBytes(19);
  let out = 'AVNS_';
  // Modulo bias is irrelevant for a fake.
  for (const b of bytes) out += PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.length];
  return out;
}

/** RFC 3339 without milliseconds, as the Go client parses it into time.Time. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
