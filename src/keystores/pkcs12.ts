// PKCS#12 key stores (client.keystore.p12), encrypted and MACed with Node's
// native crypto; node-forge only lays out the ASN.1 and encodes DER.
//
// Layout (what OpenSSL 3 `pkcs12 -export` and Java 17 keytool write by default):
//
//   PFX { version 3,
//     authSafe: data [ AuthenticatedSafe:
//       encryptedData( SafeContents [ certBag leaf, certBag chain… ] )   PBES2
//       data( SafeContents [ pkcs8ShroudedKeyBag ] )                       PBES2
//     ],
//     macData: HMAC-SHA256, key from the RFC 7292 appendix B KDF over SHA-256 }
//
// PBES2 = PBKDF2-HMAC-SHA256 + AES-256-CBC, a fresh salt and IV per use. The
// leaf certificate and the key share a localKeyId and a friendlyName (= the
// alias): that is how Java's PKCS12KeyStore pairs them into one
// PrivateKeyEntry named <alias>. Read by Java 17 keytool and the Kafka client,
// and by OpenSSL 3 without -legacy (tested). The Go aivenator wrote RC2-40 and
// 3DES with a SHA-1 MAC, which OpenSSL 3 reads only with -legacy.
//
// Iterations: 2048, OpenSSL 3's default. The count adds no real protection
// here — the store password sits in the same Secret (KAFKA_CREDSTORE_PASSWORD)
// — while the MAC KDF's iterated SHA-256 is most of the CPU a store costs.

import * as crypto from 'crypto';
import forge from 'node-forge';
import { pemCertificatesToDer } from './jks';
import { isUsableStorePassword } from './password';

export interface Pkcs12KeyStoreOptions {
  /** The private key in PEM (PKCS#8 "PRIVATE KEY", or PKCS#1 "RSA PRIVATE KEY" / SEC1 "EC PRIVATE KEY"). RSA or EC. */
  keyPem: string;
  /** The certificate for the key in PEM; any further certificates in it are kept as its chain. */
  certPem: string;
  /** Optional CA certificate(s) appended to the chain. */
  caPem?: string;
  /** Entry name (PKCS#12 friendlyName) of the key entry. */
  alias: string;
  /** Store password (printable ASCII, not empty). */
  password: string;
}

/** PBKDF2 and MAC iteration count (OpenSSL 3's default; see the header comment). */
export const PKCS12_ITERATIONS = 2048;

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

// --- DER building blocks (node-forge's ASN.1 works on binary strings) ---------------------------

const { asn1 } = forge;
type Node = forge.asn1.Asn1;
const bin = (b: Buffer): string => b.toString('binary');
const seq = (...items: Node[]): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (...items: Node[]): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (id: string): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (b: Buffer): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bin(b));
const int = (n: number): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const nul = (): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '');
// node-forge writes a BMPString's JS string as UTF-16BE itself.
const bmp = (s: string): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, s);
const explicit0 = (inner: Node): Node => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const implicit0 = (b: Buffer): Node => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, bin(b));
const der = (node: Node): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

function utf16be(s: string): Buffer {
  const b = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) b.writeUInt16BE(s.charCodeAt(i), i * 2);
  return b;
}

// --- native crypto ------------------------------------------------------------------------------

/** PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC): the AlgorithmIdentifier and the ciphertext. */
function pbes2Encrypt(plain: Buffer, password: string, iterations: number): { algorithm: Node; encrypted: Buffer } {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(16);
  // PBKDF2 takes the password as bytes (UTF-8; Java and OpenSSL agree for ASCII), not as a BMPString.
  const key = crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const algorithm = seq(
    oid(OID.pbes2),
    seq(
      seq(oid(OID.pbkdf2), seq(octets(salt), int(iterations), seq(oid(OID.hmacWithSha256), nul()))),
      seq(oid(OID.aes256Cbc), octets(iv)),
    ),
  );
  return { algorithm, encrypted };
}

/**
 * RFC 7292 appendix B.2 key derivation over SHA-256 (u = 32, v = 64) for a
 * 32-byte MAC key (ID 3): one output block, so only A1 = H^r(D ‖ S ‖ P) is needed.
 */
export function pkcs12MacKey(password: string, salt: Buffer, iterations: number): Buffer {
  const v = 64;
  const fill = (src: Buffer): Buffer => {
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  // The password as a BMPString with its two-byte NUL terminator.
  const p = Buffer.concat([utf16be(password), Buffer.alloc(2)]);
  let a = crypto.hash('sha256', Buffer.concat([Buffer.alloc(v, 3), fill(salt), fill(p)]), 'buffer');
  for (let i = 1; i < iterations; i++) a = crypto.hash('sha256', a, 'buffer');
  return a;
}

// --- the store ----------------------------------------------------------------------------------

function bag(bagId: string, value: Node, attributes: Node[]): Node {
  const items = [oid(bagId), explicit0(value)];
  if (attributes.length > 0) items.push(set(...attributes));
  return seq(...items);
}

const attribute = (id: string, value: Node): Node => seq(oid(id), set(value));

/** A PKCS#12 file with one PrivateKeyEntry (`alias`): the key, its certificate and chain. */
export function writePkcs12KeyStore(opts: Pkcs12KeyStoreOptions): Buffer {
  const { keyPem, certPem, caPem, alias, password } = opts;
  if (typeof alias !== 'string' || alias === '') throw new Error('PKCS#12 alias must be a non-empty string');
  if (typeof password !== 'string' || !isUsableStorePassword(password)) {
    throw new Error('PKCS#12 password must be non-empty printable ASCII');
  }

  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (e) {
    throw new Error(`cannot parse private key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    throw new Error(`unsupported private key type ${String(key.asymmetricKeyType)}: only RSA and EC keys are supported`);
  }

  const leafChain = pemCertificatesToDer(certPem);
  if (leafChain.length === 0) throw new Error('no PEM certificate found in certPem');
  const caChain = caPem === undefined ? [] : pemCertificatesToDer(caPem);
  if (caPem !== undefined && caChain.length === 0) throw new Error('no PEM certificate found in caPem');
  const chain = [...leafChain];
  for (const c of caChain) if (!chain.some((have) => have.equals(c))) chain.push(c);

  let leaf: crypto.X509Certificate;
  try {
    leaf = new crypto.X509Certificate(leafChain[0]!);
    for (const c of chain.slice(1)) new crypto.X509Certificate(c);
  } catch (e) {
    throw new Error(`invalid certificate: ${(e as Error).message}`);
  }
  if (!leaf.checkPrivateKey(key)) throw new Error('the private key does not match the certificate');

  const iterations = PKCS12_ITERATIONS;
  // OpenSSL's convention: the localKeyId is the SHA-1 of the leaf certificate.
  const leafAttributes = [attribute(OID.friendlyName, bmp(alias)), attribute(OID.localKeyId, octets(crypto.hash('sha1', leaf.raw, 'buffer')))];

  // Certificates: an encrypted SafeContents (as OpenSSL 3 and Java 17 write it).
  const certBags = chain.map((c, i) => bag(OID.certBag, seq(oid(OID.x509Certificate), explicit0(octets(c))), i === 0 ? leafAttributes : []));
  const certs = pbes2Encrypt(der(seq(...certBags)), password, iterations);
  const certContent = seq(
    oid(OID.encryptedData),
    explicit0(seq(int(0), seq(oid(OID.data), certs.algorithm, implicit0(certs.encrypted)))),
  );

  // The key: a plain SafeContents holding one pkcs8ShroudedKeyBag (EncryptedPrivateKeyInfo).
  const shrouded = pbes2Encrypt(key.export({ type: 'pkcs8', format: 'der' }), password, iterations);
  const keyBag = bag(OID.pkcs8ShroudedKeyBag, seq(shrouded.algorithm, octets(shrouded.encrypted)), leafAttributes);
  const keyContent = seq(oid(OID.data), explicit0(octets(der(seq(keyBag)))));

  const authSafe = der(seq(certContent, keyContent));
  const macSalt = crypto.randomBytes(16);
  const mac = crypto.createHmac('sha256', pkcs12MacKey(password, macSalt, iterations)).update(authSafe).digest();

  const pfx = seq(
    int(3),
    seq(oid(OID.data), explicit0(octets(authSafe))),
    seq(seq(seq(oid(OID.sha256), nul()), octets(mac)), octets(macSalt), int(iterations)),
  );
  return der(pfx);
}
