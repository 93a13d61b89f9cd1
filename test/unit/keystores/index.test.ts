import forge from 'node-forge';
import {
  buildKafkaKeyStores,
  KAFKA_KEYSTORE_ALIAS,
  KAFKA_TRUSTSTORE_ALIAS,
  pemCertificatesToDer,
  randomStorePassword,
  storePasswordFor,
} from '../../../src/keystores';
import { derOf, fingerprint256, makeCa, makeClient, run, tempDir, TestIdentity } from './test-pki';

describe('buildKafkaKeyStores', () => {
  let ca: TestIdentity;
  let client: TestIdentity;
  const tmp = tempDir();

  beforeAll(() => {
    ca = makeCa('Kafka pool CA');
    client = makeClient(ca);
  });
  afterAll(() => tmp.cleanup());

  it('aliases: keystore "client", truststore "ca" (the reference names the truststore alias ca)', () => {
    expect(KAFKA_KEYSTORE_ALIAS).toBe('client');
    expect(KAFKA_TRUSTSTORE_ALIAS).toBe('ca');
  });

  it('builds a PKCS#12 keystore with only the client key + cert and a JKS truststore with the CA, one password', () => {
    const password = randomStorePassword();
    const { keystoreP12, truststoreJks } = buildKafkaKeyStores({
      certPem: client.certPem,
      keyPem: client.keyPem,
      caPem: ca.certPem,
      password,
    });

    const ks = tmp.write('client.keystore.p12', keystoreP12);
    const ksList = run('keytool', ['-list', '-v', '-storetype', 'PKCS12', '-keystore', ks, '-storepass', password]);
    expect(ksList.ok).toBe(true);
    expect(ksList.out).toMatch(/Your keystore contains 1 entry/);
    expect(ksList.out).toMatch(/Alias name: client/);
    expect(ksList.out).toMatch(/Entry type: PrivateKeyEntry/);
    expect(ksList.out).toMatch(/Certificate chain length: 1/);
    expect(ksList.out).toContain(fingerprint256(client.certPem));

    expect(truststoreJks.readUInt32BE(0)).toBe(0xfeedfeed);
    const ts = tmp.write('client.truststore.jks', truststoreJks);
    const tsList = run('keytool', ['-list', '-storetype', 'JKS', '-keystore', ts, '-storepass', password]);
    expect(tsList.ok).toBe(true);
    expect(tsList.out).toMatch(/Your keystore contains 1 entry/);
    expect(tsList.out).toMatch(/^ca, .*, trustedCertEntry,/m);
    expect(tsList.out).toContain(fingerprint256(ca.certPem));

    // keystore contents, parsed back
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(keystoreP12.toString('binary'))), true, password);
    const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
    expect(certBags).toHaveLength(1);
    const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(certBags[0]!.cert!)).getBytes(), 'binary');
    expect(der.equals(derOf(client.certPem))).toBe(true);
  });

  it('puts every certificate of a CA bundle in the truststore (ca, ca-2, …)', () => {
    const second = makeCa('Next CA');
    const { truststoreJks } = buildKafkaKeyStores({
      certPem: client.certPem,
      keyPem: client.keyPem,
      caPem: `${ca.certPem}\n${second.certPem}`,
      password: 'bundle-pass',
    });
    const ts = tmp.write('bundle.jks', truststoreJks);
    const list = run('keytool', ['-list', '-storetype', 'JKS', '-keystore', ts, '-storepass', 'bundle-pass']);
    expect(list.ok).toBe(true);
    expect(list.out).toMatch(/^ca, .*trustedCertEntry/m);
    expect(list.out).toMatch(/^ca-2, .*trustedCertEntry/m);
    const exported = run('keytool', ['-exportcert', '-rfc', '-alias', 'ca-2', '-keystore', ts, '-storetype', 'JKS', '-storepass', 'bundle-pass']);
    expect(pemCertificatesToDer(exported.out)[0]!.equals(derOf(second.certPem))).toBe(true);
    // Go wrote PKCS#12 under the .jks name, so apps may say PKCS12: Java 17's keystore compat mode reads our JKS as that too.
    const asPkcs12 = run('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', ts, '-storepass', 'bundle-pass']);
    expect(asPkcs12.ok).toBe(true);
    expect(asPkcs12.out).toMatch(/Your keystore contains 2 entries/);
    expect(asPkcs12.out).toMatch(/^ca-2, .*trustedCertEntry/m);
  });

  it('fails clearly on bad input', () => {
    const base = { certPem: client.certPem, keyPem: client.keyPem, caPem: ca.certPem, password: 'p' };
    expect(() => buildKafkaKeyStores({ ...base, caPem: '' })).toThrow(/no PEM certificate found in the CA/);
    expect(() => buildKafkaKeyStores({ ...base, keyPem: makeClient(ca, 'other').keyPem })).toThrow(/does not match/);
  });
});

describe('randomStorePassword', () => {
  it('is URL-safe, at least 24 characters, and fresh every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = randomStorePassword();
      expect(p.length).toBeGreaterThanOrEqual(24);
      expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});

describe('storePasswordFor', () => {
  it("keeps the password a Secret already holds (Go's changeme, an earlier random one)", () => {
    expect(storePasswordFor('changeme')).toBe('changeme');
    const earlier = randomStorePassword();
    expect(storePasswordFor(earlier)).toBe(earlier);
  });

  it('gives a new Secret, or one whose password the stores cannot use, a fresh random one', () => {
    for (const unusable of [undefined, '', 'pässword', 'line\nbreak']) {
      const p = storePasswordFor(unusable);
      expect(p).not.toBe(unusable);
      expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
    }
    expect(storePasswordFor(undefined)).not.toBe(storePasswordFor(undefined));
  });

  it('a store rebuilt for a new certificate opens with the kept password', () => {
    const ca = makeCa('Renewal CA');
    const kept = storePasswordFor('changeme');
    const { keystoreP12 } = buildKafkaKeyStores({ ...makeClient(ca, 'renewed'), caPem: ca.certPem, password: kept });
    const tmp = tempDir();
    try {
      const list = run('keytool', ['-list', '-v', '-storetype', 'PKCS12', '-keystore', tmp.write('renewed.p12', keystoreP12), '-storepass', 'changeme']);
      expect(list.ok).toBe(true);
      expect(list.out).toContain('Owner: CN=renewed');
    } finally {
      tmp.cleanup();
    }
  });
});
