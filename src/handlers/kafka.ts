// Kafka: per-service knowledge for the Kafka credentials Secret. Pure, no I/O.
//
// Go sources: pkg/services/kafka/kafka.go (Apply, Cleanup), liberator
// pkg/aiven/service CachedNameResolver.ResolveKafkaServiceName,
// pkg/aiven/service/service.go (addresses). See aivenator-behaviour.md §3 "Kafka".

import type { ServiceComponent, ServiceInfo, ServiceUser } from '../aiven/types';
import {
  KAFKA_POOL_ANNOTATION,
  KAFKA_SERVICE_USER_ANNOTATION,
  MissingAnnotationError,
  MissingServiceComponentError,
  MissingUserCredentialError,
  componentAddress,
  findComponent,
  formatRfc3339,
} from './secret-meta';
import { requireCredential } from './credentials';

export { KAFKA_POOL_ANNOTATION, KAFKA_SERVICE_USER_ANNOTATION };

// Keys in the Secret (besides AIVEN_SECRET_UPDATED / AIVEN_CA from commonSecretData).
export const KAFKA_CERTIFICATE = 'KAFKA_CERTIFICATE';
export const KAFKA_PRIVATE_KEY = 'KAFKA_PRIVATE_KEY';
export const KAFKA_BROKERS = 'KAFKA_BROKERS';
export const KAFKA_SCHEMA_REGISTRY = 'KAFKA_SCHEMA_REGISTRY';
export const KAFKA_SCHEMA_REGISTRY_USER = 'KAFKA_SCHEMA_REGISTRY_USER';
export const KAFKA_SCHEMA_REGISTRY_PASSWORD = 'KAFKA_SCHEMA_REGISTRY_PASSWORD';
export const KAFKA_CA = 'KAFKA_CA';
export const KAFKA_CREDSTORE_PASSWORD = 'KAFKA_CREDSTORE_PASSWORD';
export const KAFKA_SECRET_UPDATED = 'KAFKA_SECRET_UPDATED';
export const KAFKA_KEYSTORE = 'client.keystore.p12';
export const KAFKA_TRUSTSTORE = 'client.truststore.jks';

/** Text keys (Go StringData). */
export const KAFKA_STRING_KEYS: readonly string[] = Object.freeze([
  KAFKA_CERTIFICATE,
  KAFKA_PRIVATE_KEY,
  KAFKA_BROKERS,
  KAFKA_SCHEMA_REGISTRY,
  KAFKA_SCHEMA_REGISTRY_USER,
  KAFKA_SCHEMA_REGISTRY_PASSWORD,
  KAFKA_CA,
  KAFKA_CREDSTORE_PASSWORD,
  KAFKA_SECRET_UPDATED,
]);
/** Binary keys (Go Data). */
export const KAFKA_BINARY_KEYS: readonly string[] = Object.freeze([KAFKA_KEYSTORE, KAFKA_TRUSTSTORE]);
export const KAFKA_SECRET_KEYS: readonly string[] = Object.freeze([...KAFKA_STRING_KEYS, ...KAFKA_BINARY_KEYS]);

/**
 * Service names to try, in order, for a pool (= Aiven project): `kafka`, then
 * `<pool>-kafka`. liberator's resolver GETs each candidate; a 404 moves on, any
 * other error is remembered and (if no candidate is found) reported instead of
 * "no kafka service found". The answer is cached for the process lifetime.
 * Cleanup resolves the service from the pool annotation the same way.
 */
export function kafkaServiceCandidates(pool: string): string[] {
  return ['kafka', `${pool}-kafka`];
}

/** The pool must be one of `--projects` (exact, case-sensitive match). */
export function isPoolAllowed(pool: string, allowed: readonly string[]): boolean {
  return pool !== '' && allowed.includes(pool);
}

export interface KafkaAddresses {
  /** `host:port`, no scheme. */
  brokers: string;
  /** `https://host:port`, or "" when the service has no schema registry (as Go writes). */
  schemaRegistry: string;
}

function pickKafkaComponent(service: ServiceInfo): ServiceComponent | undefined {
  const primaries = (service.components ?? []).filter((c) => c.component === 'kafka' && c.usage === 'primary');
  // With SASL enabled Aiven lists two kafka/primary entries; clients here use the
  // certificate, so prefer that listener. An entry without the field is the
  // certificate listener of services that predate the field. Go takes the first.
  return (
    primaries.find((c) => c.kafka_authentication_method === 'certificate') ??
    primaries.find((c) => c.kafka_authentication_method === undefined) ??
    primaries[0]
  );
}

/**
 * Broker and schema-registry addresses. Throws MissingServiceComponentError
 * when there is no kafka/primary component (Go would silently write an empty
 * KAFKA_BROKERS). A missing schema_registry gives "" like Go.
 */
export function kafkaAddresses(service: ServiceInfo): KafkaAddresses {
  const kafka = pickKafkaComponent(service);
  if (!kafka) throw new MissingServiceComponentError(service.service_name, 'kafka', 'primary');
  const registry = findComponent(service, 'schema_registry', 'primary');
  return {
    brokers: componentAddress(kafka, '').uri,
    schemaRegistry: registry ? componentAddress(registry, 'https').uri : '',
  };
}

export interface KafkaSecretDataInput {
  user: ServiceUser;
  addresses: KafkaAddresses;
  /** The pool's (project's) CA, PEM. */
  caPem: string;
  credStorePassword: string;
  keystoreP12: Buffer;
  truststoreJks: Buffer;
  now: Date;
}

/**
 * Exactly the eleven Kafka keys. Strings for text keys, Buffers for the two
 * stores. Throws MissingUserCredentialError if a credential is empty, null or
 * redacted: access_cert, access_key, password, the CA, the store password or a
 * store (a Kafka user always has them all; an empty one would be unusable).
 * KAFKA_CA is the CA as Aiven gives it: during a rotation, a bundle of two.
 */
export function kafkaSecretData(input: KafkaSecretDataInput): Record<string, string | Buffer> {
  const { user } = input;
  const need = (field: string, value: string | null | undefined): string => requireCredential(user.username, field, value);
  if (input.keystoreP12.length === 0) throw new MissingUserCredentialError(user.username, KAFKA_KEYSTORE);
  if (input.truststoreJks.length === 0) throw new MissingUserCredentialError(user.username, KAFKA_TRUSTSTORE);
  return {
    [KAFKA_CERTIFICATE]: need('access_cert', user.access_cert),
    [KAFKA_PRIVATE_KEY]: need('access_key', user.access_key),
    [KAFKA_BROKERS]: input.addresses.brokers,
    [KAFKA_SCHEMA_REGISTRY]: input.addresses.schemaRegistry,
    [KAFKA_SCHEMA_REGISTRY_USER]: user.username,
    [KAFKA_SCHEMA_REGISTRY_PASSWORD]: need('password', user.password),
    [KAFKA_CA]: need('project CA', input.caPem),
    [KAFKA_CREDSTORE_PASSWORD]: need('credential store password', input.credStorePassword),
    // Go: time.Now().Format(time.RFC3339), the same format as AIVEN_SECRET_UPDATED.
    [KAFKA_SECRET_UPDATED]: formatRfc3339(input.now),
    [KAFKA_KEYSTORE]: input.keystoreP12,
    [KAFKA_TRUSTSTORE]: input.truststoreJks,
  };
}

/** `kafka.aiven.nais.io/serviceUser` and `kafka.aiven.nais.io/pool`. */
export function kafkaAnnotations(user: Pick<ServiceUser, 'username'> | string, pool: string): Record<string, string> {
  return {
    [KAFKA_SERVICE_USER_ANNOTATION]: typeof user === 'string' ? user : user.username,
    [KAFKA_POOL_ANNOTATION]: pool,
  };
}

export interface KafkaCleanupTarget {
  /** The Aiven project, i.e. the pool annotation. */
  project: string;
  /**
   * Never set here: Go does not record the service. Cleanup resolves it from
   * the pool exactly like Apply (see serviceCandidates); an activity may fill
   * it in once resolved.
   */
  service?: string;
  /** Services to try in order: `kafka`, then `<pool>-kafka`. */
  serviceCandidates: string[];
  username: string;
}

/**
 * What the Kafka part of the Secret finalizer deletes (Go KafkaHandler.Cleanup):
 * - no (or empty) `kafka.aiven.nais.io/serviceUser` → null, nothing to do;
 * - user present but pool annotation missing (or empty) → MissingAnnotationError
 *   (returned, not thrown; Go retries this every 10s forever);
 * - otherwise delete `username` in project `pool`, service resolved from the pool.
 *   A 404 on delete counts as success.
 * Go treats an empty user annotation as present and tries to delete user "";
 * here it means nothing to delete.
 */
export function kafkaCleanupTarget(annotations: Record<string, string> | undefined): KafkaCleanupTarget | null | MissingAnnotationError {
  const username = annotations?.[KAFKA_SERVICE_USER_ANNOTATION];
  if (username === undefined || username === '') return null;
  const pool = annotations?.[KAFKA_POOL_ANNOTATION];
  if (pool === undefined || pool === '') {
    return new MissingAnnotationError(KAFKA_POOL_ANNOTATION, `unable to delete Kafka service user ${username}`);
  }
  return { project: pool, serviceCandidates: kafkaServiceCandidates(pool), username };
}
