// Valkey: per-service knowledge for the Valkey credentials Secrets (one per
// valkey[] item). Pure, no I/O.
//
// Go sources: pkg/services/valkey/valkey.go (Apply, getValkeyACLCategories,
// Cleanup), pkg/aiven/service/service.go (addresses). Expected values in the
// tests come from pkg/services/valkey/valkey_test.go. See aivenator-behaviour.md
// §3 "Valkey".

import type { ServiceInfo, ServiceUser, ValkeyAccessControl } from '../aiven/types';
import { valkeyAnnotationPrefix, valkeyInstanceKeySuffix } from '../naming/names';
import {
  MissingAnnotationError,
  MissingServiceComponentError,
  VALKEY_PROJECT_ANNOTATION,
  VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX,
  VALKEY_SERVICE_USER_ANNOTATION_SUFFIX,
  componentAddress,
  findComponent,
  type ServiceAddress,
} from './secret-meta';
import { requireCredential } from './credentials';

export { VALKEY_PROJECT_ANNOTATION, VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX, VALKEY_SERVICE_USER_ANNOTATION_SUFFIX };

/** `valkey-<namespace>-<instance>`; a Valkey CR of that name must exist in the namespace (caller's check). */
export function valkeyServiceName(namespace: string, instance: string): string {
  return `valkey-${namespace}-${instance}`;
}

/** `<i>.valkey.aiven.nais.io/serviceUser`, `<i>` = instance with [^a-z0-9] → "-". */
export function valkeyServiceUserAnnotation(instance: string): string {
  return `${valkeyAnnotationPrefix(instance)}.${VALKEY_SERVICE_USER_ANNOTATION_SUFFIX}`;
}

/** `<i>.valkey.aiven.nais.io/serviceName`. */
export function valkeyServiceNameAnnotation(instance: string): string {
  return `${valkeyAnnotationPrefix(instance)}.${VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX}`;
}

// ---------------------------------------------------------------------------
// Access control
// ---------------------------------------------------------------------------

const BASE_CATEGORIES = ['-@all', '+@connection', '+@scripting', '+@pubsub', '+@transaction'];

/** Go getValkeyACLCategories: the base set, then by access level (anything unknown or empty → read). */
export function valkeyAclCategories(access?: string): string[] {
  switch (access) {
    case 'admin':
      return [...BASE_CATEGORIES, '+@admin', '+@write', '+@read'];
    case 'readwrite':
      return [...BASE_CATEGORIES, '+@write', '+@read'];
    case 'write':
      return [...BASE_CATEGORIES, '+@write'];
    default:
      return [...BASE_CATEGORIES, '+@read'];
  }
}

/**
 * The access_control aivenator creates (or PUTs with set-access-control) a
 * Valkey user with. Keys in this order: categories, commands, keys, channels.
 */
export function valkeyAccessControl(access?: string): ValkeyAccessControl {
  return {
    valkey_acl_categories: valkeyAclCategories(access),
    valkey_acl_commands: ['+info', '+cluster|slots'],
    valkey_acl_keys: ['*'],
    valkey_acl_channels: ['*'],
  };
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null;
}

function valuesEqual(a: unknown, b: unknown): boolean {
  if (isAbsent(a) || isAbsent(b)) return isAbsent(a) && isAbsent(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    return accessControlEquals(a as ValkeyAccessControl, b as ValkeyAccessControl);
  }
  return a === b;
}

/**
 * Go `reflect.DeepEqual` on aiven-go-client's AccessControl struct, as the
 * original compares the user's returned access_control with the wanted one:
 * - arrays compare element by element, order-sensitive;
 * - a missing key, `undefined` and `null` are all Go's nil slice and are equal
 *   to each other; an empty array `[]` is a non-nil empty slice and is NOT
 *   equal to a missing key (DeepEqual distinguishes nil from empty);
 * - every key of either object counts, so extra keys the API returns (e.g.
 *   redis_acl_* alongside valkey_acl_*) make the objects differ — the struct
 *   carries those fields too;
 * - a missing access_control (undefined) is the zero struct, all nil.
 * A difference means: PUT set-access-control with the wanted ACL.
 */
export function accessControlEquals(a: ValkeyAccessControl | undefined | null, b: ValkeyAccessControl | undefined | null): boolean {
  const ra = (a ?? {}) as Record<string, unknown>;
  const rb = (b ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!valuesEqual(ra[k], rb[k])) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Addresses and Secret data
// ---------------------------------------------------------------------------

export interface ValkeyAddresses {
  /** valkey/primary: `valkeys://host:port`. */
  primary: ServiceAddress;
  /** valkey/replica, only when the service lists one. */
  replica?: ServiceAddress;
}

/**
 * Primary (required; MissingServiceComponentError otherwise, Go: "no Valkey
 * service found") and optional replica, both with the `valkeys` scheme.
 */
export function valkeyAddresses(service: ServiceInfo): ValkeyAddresses {
  const primary = findComponent(service, 'valkey', 'primary');
  if (!primary) throw new MissingServiceComponentError(service.service_name, 'valkey', 'primary');
  const replica = findComponent(service, 'valkey', 'replica');
  // Go writes replica keys only when the replica's port is non-zero.
  return replica && replica.port !== 0
    ? { primary: componentAddress(primary, 'valkeys'), replica: componentAddress(replica, 'valkeys') }
    : { primary: componentAddress(primary, 'valkeys') };
}

/** Go: strings.Replace(uri, "valkeys", "rediss", 1). */
function redisUri(uri: string): string {
  return uri.replace('valkeys', 'rediss');
}

/**
 * Key names for one instance (K = valkeyInstanceKeySuffix(instance)):
 * VALKEY_{USERNAME,PASSWORD,URI,HOST,PORT}_K, REDIS_{same}_K, and
 * VALKEY_REPLICA_{URI,HOST,PORT}_K only with a replica. There are no
 * REDIS_REPLICA_* keys in the original.
 */
export function valkeySecretKeys(instance: string, withReplica: boolean): string[] {
  const k = valkeyInstanceKeySuffix(instance);
  const fields = ['USERNAME', 'PASSWORD', 'URI', 'HOST', 'PORT'];
  const keys = [...fields.map((f) => `VALKEY_${f}_${k}`), ...fields.map((f) => `REDIS_${f}_${k}`)];
  if (withReplica) keys.push(`VALKEY_REPLICA_URI_${k}`, `VALKEY_REPLICA_HOST_${k}`, `VALKEY_REPLICA_PORT_${k}`);
  return keys;
}

/**
 * The Valkey keys for one instance; AIVEN_CA / AIVEN_SECRET_UPDATED come from commonSecretData.
 * Throws MissingUserCredentialError for an empty, null or redacted password.
 */
export function valkeySecretData(instance: string, user: Pick<ServiceUser, 'username' | 'password'>, addresses: ValkeyAddresses): Record<string, string> {
  const k = valkeyInstanceKeySuffix(instance);
  const p = addresses.primary;
  const password = requireCredential(user.username, 'password', user.password);
  const data: Record<string, string> = {
    [`VALKEY_USERNAME_${k}`]: requireCredential(user.username, 'username', user.username),
    [`VALKEY_PASSWORD_${k}`]: password,
    [`VALKEY_URI_${k}`]: p.uri,
    [`VALKEY_HOST_${k}`]: p.host,
    [`VALKEY_PORT_${k}`]: p.port,
    [`REDIS_USERNAME_${k}`]: user.username,
    [`REDIS_PASSWORD_${k}`]: password,
    [`REDIS_URI_${k}`]: redisUri(p.uri),
    [`REDIS_HOST_${k}`]: p.host,
    [`REDIS_PORT_${k}`]: p.port,
  };
  if (addresses.replica) {
    data[`VALKEY_REPLICA_URI_${k}`] = addresses.replica.uri;
    data[`VALKEY_REPLICA_HOST_${k}`] = addresses.replica.host;
    data[`VALKEY_REPLICA_PORT_${k}`] = addresses.replica.port;
  }
  return data;
}

/** `<i>.valkey.aiven.nais.io/serviceUser`, `<i>.valkey.aiven.nais.io/serviceName`, `valkey.aiven.nais.io/project`. */
export function valkeyAnnotations(instance: string, serviceName: string, username: string, project: string): Record<string, string> {
  return {
    [valkeyServiceUserAnnotation(instance)]: username,
    [valkeyServiceNameAnnotation(instance)]: serviceName,
    [VALKEY_PROJECT_ANNOTATION]: project,
  };
}

// ---------------------------------------------------------------------------
// Cleanup
// ---------------------------------------------------------------------------

export interface ValkeyCleanupTarget {
  /** The annotation prefix `<i>` (the sanitised instance name), not necessarily the spec's instance. */
  instance: string;
  service: string;
  username: string;
  project: string;
}

/**
 * Users the Valkey part of the Secret finalizer deletes (Go ValkeyHandler.Cleanup):
 * for every annotation whose key ends in `valkey.aiven.nais.io/serviceName`,
 * the instance is the key text before the first "."; its user is the
 * `<instance>.valkey.aiven.nais.io/serviceUser` annotation.
 * - An entry without (or with an empty) user annotation, or with an empty
 *   service name, is skipped (Go logs and continues).
 * - If at least one entry is usable but `valkey.aiven.nais.io/project` is
 *   missing or empty, throws MissingAnnotationError (Go returns that error).
 * - Sorted by annotation key (Go iterates a map, in random order).
 * Deleting each user: a 404 counts as success; Go logs other errors and moves on.
 */
export function valkeyCleanupTargets(annotations: Record<string, string> | undefined): ValkeyCleanupTarget[] {
  if (!annotations) return [];
  const found: Omit<ValkeyCleanupTarget, 'project'>[] = [];
  for (const key of Object.keys(annotations).sort()) {
    if (!key.endsWith(VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX)) continue;
    const service = annotations[key];
    const instance = key.split('.')[0]!;
    const username = annotations[`${instance}.${VALKEY_SERVICE_USER_ANNOTATION_SUFFIX}`];
    if (!service || !username) continue;
    found.push({ instance, service, username });
  }
  if (found.length === 0) return [];
  const project = annotations[VALKEY_PROJECT_ANNOTATION];
  if (project === undefined || project === '') throw new MissingAnnotationError(VALKEY_PROJECT_ANNOTATION);
  return found.map((t) => ({ ...t, project }));
}
