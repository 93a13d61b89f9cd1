// Kafka credential stores for the Kafka Secret:
//   client.keystore.p12   PKCS#12 with the client key + certificate (entry "client")
//   client.truststore.jks a real JKS trust store with every CA certificate (ca, ca-2, …)
// both protected by one password (KAFKA_CREDSTORE_PASSWORD).
//
// The password is stable: a rewrite of a Secret keeps the one already in it
// (running pods hold it in their environment while the mounted store files
// change in place); only a new Secret gets a fresh random one. Secrets the Go
// aivenator wrote keep its fixed "changeme".
//
// Differences from the Go aivenator, deliberately: its ".jks" file was really a
// PKCS#12 trust store (Java 17 reads ours with either store type); its keystore
// entry had no friendlyName (keytool listed it as "1"). Kafka clients pick the
// only key entry whatever its alias, so "client" is safe.

import { writeJksTrustStore } from './jks';
import { writePkcs12KeyStore } from './pkcs12';

export { writeJksTrustStore, pemCertificatesToDer, javaModifiedUtf8 } from './jks';
export type { JksTrustedCertEntry } from './jks';
export { writePkcs12KeyStore, PKCS12_ITERATIONS } from './pkcs12';
export { storePasswordFor, isUsableStorePassword, randomStorePassword } from './password';
export type { Pkcs12KeyStoreOptions } from './pkcs12';

export const KAFKA_KEYSTORE_ALIAS = 'client';
export const KAFKA_TRUSTSTORE_ALIAS = 'ca';

export interface KafkaKeyStoreInput {
  /** The service user's access certificate (PEM). */
  certPem: string;
  /** The service user's access key (PEM, RSA). */
  keyPem: string;
  /** The Kafka pool's CA (PEM; a bundle gives entries ca, ca-2, ca-3, …). */
  caPem: string;
  /** Password for both stores. */
  password: string;
}

export interface KafkaKeyStores {
  keystoreP12: Buffer;
  truststoreJks: Buffer;
}

/** Builds client.keystore.p12 and client.truststore.jks for a Kafka service user. */
export function buildKafkaKeyStores(input: KafkaKeyStoreInput, now: Date = new Date()): KafkaKeyStores {
  const keystoreP12 = writePkcs12KeyStore({
    keyPem: input.keyPem,
    certPem: input.certPem,
    alias: KAFKA_KEYSTORE_ALIAS,
    password: input.password,
  });

  // One JKS entry per certificate block in the CA text.
  const blocks = input.caPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate found in the CA');
  const truststoreJks = writeJksTrustStore(
    blocks.map((certPem, i) => ({ alias: i === 0 ? KAFKA_TRUSTSTORE_ALIAS : `${KAFKA_TRUSTSTORE_ALIAS}-${i + 1}`, certPem })),
    input.password,
    now,
  );

  return { keystoreP12, truststoreJks };
}
