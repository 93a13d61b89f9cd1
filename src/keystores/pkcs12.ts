// PKCS#12 key stores (client.keystore.p12) built with node-forge.
//
// Layout (node-forge's toPkcs12Asn1): one unencrypted SafeContents with the
// certificate chain (leaf first), one SafeContents with the private key as a
// pkcs8ShroudedKeyBag, and an HMAC-SHA1 integrity MAC. The leaf certificate
// and the key share a localKeyId and a friendlyName (= the alias), which is how
// Java's PKCS12KeyStore pairs them into one PrivateKeyEntry named <alias>.
//
// Key encryption: pbeWithSHAAnd3-KeyTripleDES-CBC by default. Java 17 keytool
// and OpenSSL 3 (default provider, no -legacy) read both it and PBES2/AES
// (tested), but 3DES is also readable by every older JRE that Kafka clients
// still run on, some of which mishandle PBES2 in PKCS#12. The cipher adds no
// real protection here anyway: the store password travels in the same Secret
// (KAFKA_CREDSTORE_PASSWORD). The Go aivenator used legacy RC2-40, which
// OpenSSL 3 can only read with -legacy.

import * as crypto from 'crypto';
import forge from 'node-forge';
import { pemCertificatesToDer } from './jks';

export type Pkcs12KeyAlgorithm = '3des' | 'aes256';

export interface Pkcs12KeyStoreOptions {
  /** The private key in PEM (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"). RSA only (node-forge). */
  keyPem: string;
  /** The certificate for the key in PEM; any further certificates in it are kept as its chain. */
  certPem: string;
  /** Optional CA certificate(s) appended to the chain. */
  caPem?: string;
  /** Entry name (PKCS#12 friendlyName) of the key entry. */
  alias: string;
  /** Store password (printable ASCII). */
  password: string;
  /** Key-bag encryption; default '3des' (see the header comment). */
  algorithm?: Pkcs12KeyAlgorithm;
}

/** PBE and MAC iteration count; Java 17's own default for PKCS#12. */
export const PKCS12_ITERATIONS = 10000;

function derToForgeCert(der: Buffer): forge.pki.Certificate {
  return forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
}

/** A PKCS#12 file with one PrivateKeyEntry (`alias`): the key, its certificate and chain. */
export function writePkcs12KeyStore(opts: Pkcs12KeyStoreOptions): Buffer {
  const { keyPem, certPem, caPem, alias, password } = opts;
  const algorithm = opts.algorithm ?? '3des';
  if (algorithm !== '3des' && algorithm !== 'aes256') throw new Error(`unsupported PKCS#12 algorithm ${String(algorithm)}`);
  if (typeof alias !== 'string' || alias === '') throw new Error('PKCS#12 alias must be a non-empty string');
  if (typeof password !== 'string' || !/^[\x20-\x7e]*$/.test(password)) {
    throw new Error('PKCS#12 password must be printable ASCII');
  }

  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (e) {
    throw new Error(`cannot parse private key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`unsupported private key type ${String(key.asymmetricKeyType)}: only RSA keys are supported`);
  }

  const leafChain = pemCertificatesToDer(certPem);
  if (leafChain.length === 0) throw new Error('no PEM certificate found in certPem');
  const caChain = caPem === undefined ? [] : pemCertificatesToDer(caPem);
  if (caPem !== undefined && caChain.length === 0) throw new Error('no PEM certificate found in caPem');
  const chain = [...leafChain];
  for (const der of caChain) if (!chain.some((c) => c.equals(der))) chain.push(der);

  let leaf: crypto.X509Certificate;
  try {
    leaf = new crypto.X509Certificate(leafChain[0]!);
    for (const der of chain.slice(1)) new crypto.X509Certificate(der);
  } catch (e) {
    throw new Error(`invalid certificate: ${(e as Error).message}`);
  }
  if (!leaf.checkPrivateKey(key)) throw new Error('the private key does not match the certificate');

  const forgeKey = forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }) as string);
  const p12 = forge.pkcs12.toPkcs12Asn1(forgeKey, chain.map(derToForgeCert), password, {
    algorithm,
    friendlyName: alias,
    generateLocalKeyId: true,
    count: PKCS12_ITERATIONS,
    saltSize: 16,
    useMac: true,
  });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}
