import * as crypto from 'crypto';
import forge from 'node-forge';
import { pemCertificatesToDer } from '../../../src/keystores/jks';
import { PKCS12_ITERATIONS, pkcs12MacKey, writePkcs12KeyStore } from '../../../src/keystores/pkcs12';
import { derOf, fingerprint256, makeCa, makeClient, run, tempDir, TestIdentity } from './test-pki';

/** Opens a PKCS#12 with node-forge and returns its key and certificate bags. */
function readP12(buf: Buffer, password: string) {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(buf.toString('binary'))), true, password);
  const keyBags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  return { keyBags, certBags };
}

const certDer = (c: forge.pki.Certificate): Buffer =>
  Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), 'binary');

describe('pkcs12MacKey (RFC 7292 appendix B over SHA-256)', () => {
  it('derives what node-forge (an independent implementation) derives', () => {
    for (const [password, iterations] of [['changeme', 1], ['changeme', 2048], ['Store_Pass-42 with a longer password, over 32 chars', 3]] as const) {
      const salt = crypto.randomBytes(16);
      const forgeKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt.toString('binary')), 3, iterations, 32, forge.md.sha256.create());
      expect(pkcs12MacKey(password, salt, iterations).toString('hex')).toBe(forge.util.bytesToHex(forgeKey.getBytes()));
    }
  });
});

describe('writePkcs12KeyStore', () => {
  let ca: TestIdentity;
  let client: TestIdentity;
  const tmp = tempDir();

  beforeAll(() => {
    ca = makeCa();
    client = makeClient(ca);
  });
  afterAll(() => tmp.cleanup());

  it('round-trips through node-forge: same key, same certificate, alias as friendlyName, shared localKeyId', () => {
    const buf = writePkcs12KeyStore({ keyPem: client.keyPem, certPem: client.certPem, alias: 'client', password: 'pw-123456' });
    const { keyBags, certBags } = readP12(buf, 'pw-123456');
    expect(keyBags).toHaveLength(1);
    expect(certBags).toHaveLength(1);

    const forgeKey = keyBags[0]!.key as forge.pki.rsa.PrivateKey;
    const want = forge.pki.privateKeyFromPem(client.key.export({ type: 'pkcs1', format: 'pem' }) as string);
    expect(forgeKey.n.equals(want.n)).toBe(true);
    expect(forgeKey.d.equals(want.d)).toBe(true);
    expect(certDer(certBags[0]!.cert!).equals(derOf(client.certPem))).toBe(true);

    expect(keyBags[0]!.attributes.friendlyName).toEqual(['client']);
    expect(certBags[0]!.attributes.friendlyName).toEqual(['client']);
    expect(keyBags[0]!.attributes.localKeyId).toEqual(certBags[0]!.attributes.localKeyId);

    expect(() => readP12(buf, 'wrong-password')).toThrow();
  });

  it('is PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for the key and the certificates, MAC HMAC-SHA256: openssl 3 reads it without -legacy', () => {
    const password = 'Store_Pass-42';
    const file = tmp.write('ks.p12', writePkcs12KeyStore({ ...client, alias: 'client', password }));

    const info = run('openssl', ['pkcs12', '-info', '-nokeys', '-in', file, '-passin', `pass:${password}`]);
    expect(info.ok).toBe(true);
    const pbes2 = `PBES2, PBKDF2, AES-256-CBC, Iteration ${PKCS12_ITERATIONS}, PRF hmacWithSHA256`;
    expect(info.out).toContain(`PKCS7 Encrypted data: ${pbes2}`);
    expect(info.out).toContain(`Shrouded Keybag: ${pbes2}`);
    expect(info.out).toContain(`MAC: sha256, Iteration ${PKCS12_ITERATIONS}`);
    expect(info.out).toMatch(/friendlyName: client/);
    expect(pemCertificatesToDer(info.out)[0]!.equals(derOf(client.certPem))).toBe(true);

    const keyOut = run('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nocerts', '-nodes']);
    expect(keyOut.ok).toBe(true);
    const extracted = crypto.createPrivateKey(keyOut.out.slice(keyOut.out.indexOf('-----BEGIN')));
    expect(
      extracted.export({ type: 'pkcs8', format: 'der' }).equals(client.key.export({ type: 'pkcs8', format: 'der' }) as Buffer),
    ).toBe(true);
  });

  it('keytool (Java 17) shows a PrivateKeyEntry and decrypts its key (importkeystore into a JKS)', () => {
    const password = 'Store_Pass-42';
    const file = tmp.write('ks-java.p12', writePkcs12KeyStore({ ...client, alias: 'client', password }));
    const list = run('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', file, '-storepass', password]);
    expect(list.out).toMatch(/Your keystore contains 1 entry/);
    expect(list.out).toMatch(/^client, .*, PrivateKeyEntry,/m);
    expect(list.out).toContain(fingerprint256(client.certPem));
    expect(list.ok).toBe(true);

    // -list does not decrypt the key bag; copying the entry does.
    const copy = `${tmp.dir}/ks-java-copy.jks`;
    const imported = run('keytool', [
      '-importkeystore', '-noprompt', '-srckeystore', file, '-srcstoretype', 'PKCS12', '-srcstorepass', password,
      '-destkeystore', copy, '-deststoretype', 'JKS', '-deststorepass', 'copy-pass', '-destkeypass', 'copy-pass',
    ]);
    expect(imported.out).toMatch(/Entry for alias client successfully imported/);
    expect(imported.ok).toBe(true);
    const copied = run('keytool', ['-list', '-storetype', 'JKS', '-keystore', copy, '-storepass', 'copy-pass']);
    expect(copied.out).toMatch(/^client, .*, PrivateKeyEntry,/m);
  });

  it('holds an EC key too (keytool and openssl read it)', () => {
    const ecClient = makeClient(ca, 'ec-client', 'ec');
    const file = tmp.write('ks-ec.p12', writePkcs12KeyStore({ ...ecClient, alias: 'client', password: 'ec-pass' }));
    const list = run('keytool', ['-list', '-v', '-storetype', 'PKCS12', '-keystore', file, '-storepass', 'ec-pass']);
    expect(list.ok).toBe(true);
    expect(list.out).toMatch(/Entry type: PrivateKeyEntry/);
    expect(list.out).toMatch(/256-bit EC/);
    const keyOut = run('openssl', ['pkcs12', '-in', file, '-passin', 'pass:ec-pass', '-nocerts', '-nodes']);
    expect(keyOut.ok).toBe(true);
    expect(keyOut.out).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('uses fresh salts and IVs: two stores of the same input differ, both open', () => {
    const a = writePkcs12KeyStore({ ...client, alias: 'client', password: 'same' });
    const b = writePkcs12KeyStore({ ...client, alias: 'client', password: 'same' });
    expect(a.equals(b)).toBe(false);
    expect(readP12(a, 'same').keyBags).toHaveLength(1);
    expect(readP12(b, 'same').keyBags).toHaveLength(1);
  });

  it('keytool and openssl refuse a wrong password', () => {
    const file = tmp.write('ks-wrong.p12', writePkcs12KeyStore({ ...client, alias: 'client', password: 'right-one' }));
    const kt = run('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', file, '-storepass', 'wrong-one']);
    expect(kt.ok).toBe(false);
    expect(kt.out).toMatch(/password was incorrect|Integrity check failed|keystore password/i);
    const os = run('openssl', ['pkcs12', '-info', '-nokeys', '-in', file, '-passin', 'pass:wrong-one']);
    expect(os.ok).toBe(false);
  });

  it('appends the CA to the chain when given (keytool: chain length 2)', () => {
    const buf = writePkcs12KeyStore({ ...client, caPem: ca.certPem, alias: 'client', password: 'chain-pass' });
    const { certBags } = readP12(buf, 'chain-pass');
    expect(certBags.map((b) => certDer(b.cert!).toString('hex'))).toEqual([
      derOf(client.certPem).toString('hex'),
      derOf(ca.certPem).toString('hex'),
    ]);
    const file = tmp.write('ks-chain.p12', buf);
    const list = run('keytool', ['-list', '-v', '-storetype', 'PKCS12', '-keystore', file, '-storepass', 'chain-pass']);
    expect(list.ok).toBe(true);
    expect(list.out).toMatch(/Certificate chain length: 2/);
    // A CA already present in certPem is not duplicated.
    const again = readP12(
      writePkcs12KeyStore({ ...client, certPem: client.certPem + ca.certPem, caPem: ca.certPem, alias: 'c', password: 'x' }),
      'x',
    );
    expect(again.certBags).toHaveLength(2);
  });

  it('accepts a PKCS#1 ("RSA PRIVATE KEY") key', () => {
    const pkcs1 = client.key.export({ type: 'pkcs1', format: 'pem' }) as string;
    const { keyBags } = readP12(writePkcs12KeyStore({ keyPem: pkcs1, certPem: client.certPem, alias: 'client', password: 'p' }), 'p');
    expect(keyBags).toHaveLength(1);
  });

  it('rejects mismatched, unsupported or malformed input', () => {
    const other = makeClient(ca, 'someone-else');
    const ed = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const base = { ...client, alias: 'client', password: 'p' };
    expect(() => writePkcs12KeyStore({ ...base, keyPem: other.keyPem })).toThrow(/does not match/);
    expect(() => writePkcs12KeyStore({ ...base, keyPem: ed })).toThrow(/only RSA and EC/);
    expect(() => writePkcs12KeyStore({ ...base, keyPem: 'nope' })).toThrow(/cannot parse private key/);
    expect(() => writePkcs12KeyStore({ ...base, certPem: 'nope' })).toThrow(/no PEM certificate/);
    expect(() => writePkcs12KeyStore({ ...base, caPem: 'nope' })).toThrow(/no PEM certificate found in caPem/);
    expect(() => writePkcs12KeyStore({ ...base, alias: '' })).toThrow(/alias/);
    expect(() => writePkcs12KeyStore({ ...base, password: 'pässword' })).toThrow(/printable ASCII/);
    expect(() => writePkcs12KeyStore({ ...base, password: '' })).toThrow(/non-empty/);
  });
});
