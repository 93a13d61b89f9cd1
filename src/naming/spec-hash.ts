// The AivenApplication spec hash, bit-exact with NAIS's Go aivenator.
//
// Go computes `hash.Hash(app.Spec)` (liberator pkg/hash): json.Marshal the spec
// struct, then mitchellh/hashstructure (v1) over the resulting []byte. For a
// byte slice hashstructure folds every element in order:
//
//     h = 0
//     for each byte b:  h = FNV1-64( LE64(h) ‖ LE64(FNV1-64([b])) )
//
// (FNV-1, not FNV-1a; LE64 = 8 little-endian bytes), printed with "%x":
// lowercase hex, no zero padding. The result lands in
// status.synchronizationHash, so it must match the Go value exactly or every
// app migrated from the Go operator would resync (and mint new users) once.
//
// The JSON is produced the way encoding/json marshals liberator's v1 struct:
// fields in declaration order, `omitempty` fields dropped when empty, Go string
// escaping (HTML-safe), and unknown input keys ignored (Go decodes into the
// struct first). Input key order therefore never matters.

import type { AivenApplicationSpec } from '../kube/aivenapp-types';

// ---------------------------------------------------------------------------
// Go-style JSON of the v1 spec
// ---------------------------------------------------------------------------

const HEX = '0123456789abcdef';

/** A JSON string literal as Go's encoding/json writes it (HTML escaping on). */
export function goJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Lone UTF-16 surrogates cannot be valid UTF-8; Go decodes them to U+FFFD.
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\ufffd';
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x08: // Go ≥ 1.22 writes \b and \f (older Go: \u0008, \u000c)
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      default:
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += '\\u' + HEX[(c >> 12) & 0xf]! + HEX[(c >> 8) & 0xf]! + HEX[(c >> 4) & 0xf]! + HEX[c & 0xf]!;
      continue;
    }
    out += s[i]!;
  }
  return out + '"';
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Go `string` field: JSON null (or absent) decodes to "". */
function str(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new TypeError(`spec hash: ${field} must be a string, got ${typeof v}`);
  return v;
}

/** A Go `bool` field. */
function bool(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new TypeError(`spec hash: ${field} must be a boolean, got ${typeof v}`);
  return v;
}

/** A pointer-to-struct field: JSON null (or absent) decodes to nil. */
function ptr(v: unknown, field: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new TypeError(`spec hash: ${field} must be an object`);
  return v;
}

/** Writes `{"k":v,...}` from [key, json | undefined] pairs in order; undefined = omitted. */
function object(fields: Array<[string, string | undefined]>): string {
  const parts: string[] = [];
  for (const [k, v] of fields) if (v !== undefined) parts.push(`${goJsonString(k)}:${v}`);
  return `{${parts.join(',')}}`;
}

const omitEmptyString = (s: string): string | undefined => (s === '' ? undefined : goJsonString(s));

// Go's time.Parse(time.RFC3339, ...) accepts this shape (fractional seconds allowed).
const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const GO_ZERO_TIME_MS = -62135596800000; // 0001-01-01T00:00:00Z, Go's time.Time{}

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
    month - 1
  ]!;
}

/**
 * metav1.Time's JSON: RFC3339 in UTC at second precision ("2006-01-02T15:04:05Z"),
 * fractional seconds truncated; Go's zero time marshals as null.
 */
export function goMetaTimeJson(v: string | Date): string {
  let ms: number;
  let subSecond: boolean; // Go keeps nanoseconds: a fractional zero time is not IsZero()
  if (v instanceof Date) {
    ms = v.getTime();
    if (Number.isNaN(ms)) throw new RangeError('spec hash: expiresAt is an invalid Date');
    subSecond = ms % 1000 !== 0;
  } else {
    const m = RFC3339_RE.exec(v);
    if (!m) throw new RangeError(`spec hash: expiresAt ${JSON.stringify(v)} is not an RFC3339 date-time`);
    const [year, month, day, hour, min, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
      number, number, number, number, number, number,
    ];
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || min > 59 || sec > 59) {
      throw new RangeError(`spec hash: expiresAt ${JSON.stringify(v)} is out of range`);
    }
    let offsetMin = 0;
    if (!m[8]) {
      const oh = Number(m[10]);
      const om = Number(m[11]);
      if (oh > 23 || om > 59) throw new RangeError(`spec hash: expiresAt ${JSON.stringify(v)} has a bad zone offset`);
      offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, min, sec, 0);
    ms = d.getTime() - offsetMin * 60_000;
    subSecond = /[1-9]/.test(m[7] ?? '');
  }
  const secMs = Math.floor(ms / 1000) * 1000; // Go's RFC3339 layout prints whole seconds (truncated)
  if (secMs === GO_ZERO_TIME_MS && !subSecond) return 'null';
  const d = new Date(secMs);
  const year = d.getUTCFullYear();
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const y = (year < 0 ? '-' : '') + String(Math.abs(year)).padStart(4, '0');
  return goJsonString(
    `${y}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}` +
      `T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}Z`,
  );
}

function serviceSpecJson(o: Obj, field: string): string {
  // OpenSearchSpec / ValkeySpec: instance, access, secretName — all omitempty.
  return object([
    ['instance', omitEmptyString(str(o.instance, `${field}.instance`))],
    ['access', omitEmptyString(str(o.access, `${field}.access`))],
    ['secretName', omitEmptyString(str(o.secretName, `${field}.secretName`))],
  ]);
}

/**
 * The spec as Go's json.Marshal writes liberator's v1 AivenApplicationSpec:
 *
 *   secretName  string       omitempty
 *   protected   bool         omitempty
 *   expiresAt   *metav1.Time omitempty  (RFC3339, UTC, seconds)
 *   kafka       *KafkaSpec   omitempty  {pool (always), secretName omitempty}
 *   openSearch  *OpenSearchSpec omitempty {instance, access, secretName: omitempty}
 *   valkey      []*ValkeySpec   omitempty (each like openSearch; a null item is `null`)
 *
 * Unknown keys (e.g. the removed redis/influxDB) are ignored, as Go's decoder drops them.
 */
export function specJson(spec: AivenApplicationSpec): string {
  const s: Obj = isObj(spec) ? (spec as unknown as Obj) : {};

  let expiresAt: string | undefined;
  const rawExpires = s.expiresAt;
  if (rawExpires !== undefined && rawExpires !== null) {
    if (typeof rawExpires !== 'string' && !(rawExpires instanceof Date)) {
      throw new TypeError('spec hash: expiresAt must be an RFC3339 string');
    }
    expiresAt = goMetaTimeJson(rawExpires);
  }

  const kafka = ptr(s.kafka, 'kafka');
  const openSearch = ptr(s.openSearch, 'openSearch');

  let valkey: string | undefined;
  const rawValkey = s.valkey;
  if (rawValkey !== undefined && rawValkey !== null) {
    if (!Array.isArray(rawValkey)) throw new TypeError('spec hash: valkey must be an array');
    if (rawValkey.length > 0) {
      valkey = `[${rawValkey
        .map((item, i) => {
          const o = ptr(item, `valkey[${i}]`);
          return o === undefined ? 'null' : serviceSpecJson(o, `valkey[${i}]`);
        })
        .join(',')}]`;
    }
  }

  return object([
    ['secretName', omitEmptyString(str(s.secretName, 'secretName'))],
    ['protected', bool(s.protected, 'protected') ? 'true' : undefined],
    ['expiresAt', expiresAt],
    [
      'kafka',
      kafka === undefined
        ? undefined
        : object([
            ['pool', goJsonString(str(kafka.pool, 'kafka.pool'))],
            ['secretName', omitEmptyString(str(kafka.secretName, 'kafka.secretName'))],
          ]),
    ],
    ['openSearch', openSearch === undefined ? undefined : serviceSpecJson(openSearch, 'openSearch')],
    ['valkey', valkey],
  ]);
}

// ---------------------------------------------------------------------------
// hashstructure v1 over a byte slice
// ---------------------------------------------------------------------------

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1 (multiply, then xor) over the 8 little-endian bytes of each value in turn. */
function fnv1OverLe64(values: bigint[]): bigint {
  let h = FNV64_OFFSET;
  for (const v of values) {
    for (let shift = 0n; shift < 64n; shift += 8n) {
      h = (h * FNV64_PRIME) & MASK64;
      h ^= (v >> shift) & 0xffn;
    }
  }
  return h;
}

let byteHashes: bigint[] | undefined;

/** FNV1-64 of each single byte value, computed once. */
function byteHash(b: number): bigint {
  if (!byteHashes) {
    byteHashes = [];
    for (let i = 0; i < 256; i++) byteHashes.push(((FNV64_OFFSET * FNV64_PRIME) & MASK64) ^ BigInt(i));
  }
  return byteHashes[b]!;
}

/** hashstructure v1's hash of a Go []byte, as Go's `fmt.Sprintf("%x", h)`. */
export function hashBytes(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let h = 0n;
  for (let i = 0; i < bytes.length; i++) h = fnv1OverLe64([h, byteHash(bytes[i]!)]);
  return h.toString(16);
}

/** The Go aivenator's `application.Hash()`: hashBytes(json.Marshal(spec)). */
export function specHash(spec: AivenApplicationSpec): string {
  return hashBytes(specJson(spec));
}
