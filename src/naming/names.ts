// Deterministic names, bit-compatible with NAIS's Go aivenator and liberator.
//
// Service-user names are shared with other NAIS components: kafkarator grants
// topic ACLs to `<team>_<app>_<hash>_*` and aiven-poke parses the same shape,
// so every byte here must match the Go original. All inputs are Kubernetes
// object names (ASCII), so JS string indices equal Go byte indices.

import * as zlib from 'zlib';

// ---------------------------------------------------------------------------
// CRC-32 (IEEE 802.3, the polynomial of Go's crc32.ChecksumIEEE)
// ---------------------------------------------------------------------------

/** CRC-32/IEEE of the UTF-8 bytes of `data` (or of the bytes given), as an unsigned 32-bit integer (zlib.crc32: Node ≥ 20.15, engines ≥ 20.19). */
export function crc32(data: string | Uint8Array): number {
  return zlib.crc32(data) >>> 0;
}

/** Go's `fmt.Sprintf("%08x", crc32.ChecksumIEEE(...))`. */
export function crc32Hex8(data: string): string {
  return crc32(data).toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------
// Service-user suffixes
// ---------------------------------------------------------------------------

/**
 * The 3-character per-generation suffix (aivenator's utils.CreateSuffix):
 * crc32-IEEE of `"<generation><appName>"`, as 4 big-endian bytes, base64url
 * without padding, first 3 characters. Generation 0 + `test-app` → `3D_`.
 */
export function suffix3(generation: number, appName: string): string {
  if (!Number.isSafeInteger(generation)) {
    throw new TypeError(`generation must be an integer, got ${String(generation)}`);
  }
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(`${generation}${appName}`), 0);
  return sum.toString('base64url').slice(0, 3);
}

/** admin → "", write → "-w", readwrite → "-rw", anything else (including empty) → "-r". */
export function accessSuffix(access?: string): string {
  switch (access) {
    case 'admin':
      return '';
    case 'write':
      return '-w';
    case 'readwrite':
      return '-rw';
    default:
      return '-r';
  }
}

// ---------------------------------------------------------------------------
// Kafka (liberator kafka_nais_io_v1.ServiceUserNameWithSuffix)
// ---------------------------------------------------------------------------

export const KAFKA_TEAM_NAME_LENGTH = 20;
export const KAFKA_APP_NAME_LENGTH = 30;
export const MAX_SERVICE_USER_NAME_LENGTH = 64;

/**
 * liberator's `shorten`: keep short wildcard patterns untouched; drop `prefix`
 * (unless the input *is* the prefix); drop leading '-'; cut to maxLen; drop
 * trailing '-'. Order matters: the trailing trim runs after the cut.
 */
function shorten(input: string, prefix: string, maxLen: number): string {
  if (input.includes('*') && input.length <= maxLen) return input;
  let s = input;
  if (s.startsWith(prefix) && s !== prefix) s = s.slice(prefix.length);
  let start = 0;
  while (start < s.length && s[start] === '-') start++;
  s = s.slice(start);
  if (s.length > maxLen) s = s.slice(0, maxLen);
  if (s.length > 1) {
    let end = s.length;
    while (end > 0 && s[end - 1] === '-') end--;
    s = s.slice(0, end);
  }
  return s;
}

/** Team part of a Kafka user name: strip a leading "team", ≤ 20 chars. */
export function kafkaShortTeamName(team: string): string {
  return shorten(team, 'team', KAFKA_TEAM_NAME_LENGTH);
}

/** App part of a Kafka user name: strip a leading `<team>`, ≤ 30 chars. */
export function kafkaShortAppName(team: string, app: string): string {
  return shorten(app, team, KAFKA_APP_NAME_LENGTH);
}

/**
 * `<team≤20>_<app≤30>_<crc32hex8(team+app)>_<suffix>` exactly as liberator's
 * ServiceUserNameWithSuffix. A `*` in team or app makes the hash `*` too (the
 * ACL pattern form kafkarator uses, e.g. suffix "*").
 */
export function kafkaServiceUserNameWithSuffix(team: string, app: string, suffix: string): string {
  const hash = team.includes('*') || app.includes('*') ? '*' : crc32Hex8(`${team}${app}`);
  return `${kafkaShortTeamName(team)}_${kafkaShortAppName(team, app)}_${hash}_${suffix}`;
}

/** The Kafka service user for an AivenApplication (team = namespace, app = name). ≤ 64 chars. */
export function kafkaServiceUserName(team: string, app: string, generation: number): string {
  return kafkaServiceUserNameWithSuffix(team, app, suffix3(generation, app));
}

// ---------------------------------------------------------------------------
// OpenSearch and Valkey
// ---------------------------------------------------------------------------

/** `<namespace><accessSuffix>-<suffix3(generation, appName)>` (not truncated). */
export function openSearchUserName(namespace: string, access: string | undefined, generation: number, appName: string): string {
  return `${namespace}${accessSuffix(access)}-${suffix3(generation, appName)}`;
}

/** `<appName><accessSuffix>-<suffix3(generation, appName)>` (not truncated). */
export function valkeyUserName(appName: string, access: string | undefined, generation: number): string {
  return `${appName}${accessSuffix(access)}-${suffix3(generation, appName)}`;
}

/** K in `VALKEY_USERNAME_<K>`: anything outside [a-z0-9] → "_", then uppercased. */
export function valkeyInstanceKeySuffix(instance: string): string {
  return instance.replace(/[^a-z0-9]/g, '_').toUpperCase();
}

/** `<i>` in `<i>.valkey.aiven.nais.io/serviceUser`: anything outside [a-z0-9] → "-". */
export function valkeyAnnotationPrefix(instance: string): string {
  return instance.replace(/[^a-z0-9]/g, '-');
}

// ---------------------------------------------------------------------------
// Secret names (Kubernetes IsDNS1123Label)
// ---------------------------------------------------------------------------

export const DNS1123_LABEL_MAX_LENGTH = 63;
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
// Kubernetes' own wording (k8s.io/apimachinery/pkg/util/validation), double space included.
const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
  "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " +
  `regex used for validation is '${DNS1123_LABEL_FMT}')`;

/**
 * Why `name` is not a valid Secret name for aivenator (a DNS-1123 label), or
 * undefined when it is valid. The messages follow Kubernetes' validation text.
 */
export function secretNameError(name: string): string | undefined {
  if (typeof name !== 'string') return 'secret name must be a string';
  if (name === '') return 'invalid Secret name "": must not be empty';
  const errs: string[] = [];
  if (name.length > DNS1123_LABEL_MAX_LENGTH) errs.push(`must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters`);
  if (!DNS1123_LABEL_RE.test(name)) errs.push(DNS1123_LABEL_ERR);
  return errs.length === 0 ? undefined : `invalid Secret name ${JSON.stringify(name)}: ${errs.join('; ')}`;
}

/** True when `name` is a DNS-1123 label: non-empty, ≤ 63 chars, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`. */
export function isValidSecretName(name: string): boolean {
  return secretNameError(name) === undefined;
}
