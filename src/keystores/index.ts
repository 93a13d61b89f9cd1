// Kafka credential stores for the Kafka Secret:
//   client.keystore.p12   PKCS#12 with the client key + certificate (entry "client")
//   client.truststore.jks a real JKS trust store with the CA (entry "ca")
// both protected by one random password (KAFKA_CREDSTORE_PASSWORD).
//
// Differences from the Go aivenator, deliberately: its ".jks" file was really a
// PKCS#12 trust store and both stores used the fixed password "changeme"; its
// keystore entry had no friendlyName (keytool listed it as "1"). Kafka clients
// pick the only key entry whatever its alias, so "client" is safe.

import * as crypto from 'crypto';
import { writeJksTrustStore } from './jks';
import { writePkcs12KeyStore } from './pkcs12';

export { writeJksTrustStore, pemCertificatesToDer, javaModifiedUtf8 } from './jks';
export type { JksTrustedCertEntry } from './jks';
export { writePkcs12KeyStore, PKCS12_ITERATIONS } from './pkcs12';
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

/** A fresh store password: 24 random bytes as base64url (32 characters, URL- and shell-safe). */
export function randomStorePassword(): string {
  return crypto.randomBytes(24).toString('base64url');
}
