// Finds issued credentials in text: workflow histories (decoded with
// historyText), logs, Kubernetes objects as JSON. A credential may show up
// as itself, JSON-escaped (a PEM's newlines as \n), base64-encoded (a Secret's
// data), or as the one-line base64 of a certificate's or key's DER. The text
// is cut into base64-alphabet tokens once and each token is looked up, so
// thousands of credentials are searched in tens of megabytes in seconds.
import type { IssuedSecret } from '../../src/fake-aiven/types';

export interface Needle {
  secret: Pick<IssuedSecret, 'kind' | 'username' | 'service'>;
  /** How it would appear: "itself", "PEM line", "base64". */
  form: string;
}

export interface LeakHit {
  kind: string;
  username: string;
  service: string;
  form: string;
  source: string;
  /** A few characters around the hit, the credential itself masked. */
  context: string;
}

const LINE = 64;

export class LeakScanner {
  private readonly exact = new Map<string, Needle>();
  /** Passwords by their AVNS_ prefix (Aiven's password format), found inside longer tokens too. */
  private readonly passwords = new Map<string, Needle>();
  private readonly passwordLengths = new Set<number>();
  readonly secretCount: number;
  bytesScanned = 0;
  sourcesScanned = 0;

  constructor(issued: IssuedSecret[]) {
    const unique = new Map<string, IssuedSecret>();
    for (const s of issued) if (!unique.has(s.value)) unique.set(s.value, s);
    this.secretCount = unique.size;
    // A PEM line shared by two different credentials (same issuer, same header bytes) says nothing: left out.
    const lineOwners = new Map<string, number>();
    const linesOf = (pem: string) => pem.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 40 && !l.startsWith('-----'));
    for (const s of unique.values()) if (s.kind !== 'password') for (const l of new Set(linesOf(s.value))) lineOwners.set(l, (lineOwners.get(l) ?? 0) + 1);
    for (const s of unique.values()) {
      const owner = { kind: s.kind, username: s.username, service: s.service };
      this.exact.set(stripPadding(Buffer.from(s.value).toString('base64')), { secret: owner, form: 'base64' });
      if (s.kind === 'password') {
        const itself: Needle = { secret: owner, form: 'itself' };
        this.exact.set(s.value, itself);
        if (s.value.startsWith('AVNS_')) {
          this.passwords.set(s.value, itself);
          this.passwordLengths.add(s.value.length);
        }
        continue;
      }
      for (const l of linesOf(s.value)) if (lineOwners.get(l) === 1) this.exact.set(stripPadding(l), { secret: owner, form: 'PEM line' });
    }
  }

  get needleCount(): number {
    return this.exact.size;
  }

  scan(source: string, text: string): LeakHit[] {
    this.sourcesScanned++;
    this.bytesScanned += text.length;
    // JSON escapes (possibly nested) of line breaks become line breaks, so PEM lines stand alone.
    const normalized = text.replace(/\\+[nr]/g, '\n');
    const hits: LeakHit[] = [];
    // One hit per credential and source (a key has many lines).
    const seen = new Set<string>();
    const hit = (needle: Needle, at: number, length: number) => {
      const key = `${needle.secret.kind}|${needle.secret.service}|${needle.secret.username}`;
      if (seen.has(key)) return;
      seen.add(key);
      // Where it was, without repeating any of it (or of the lines next to it) in the report.
      const mask = (t: string) => t.replace(/\s+/g, ' ').replace(/[A-Za-z0-9+/=_-]{16,}/g, '…');
      const before = mask(normalized.slice(Math.max(0, at - 60), at));
      const after = mask(normalized.slice(at + length, at + length + 30));
      hits.push({ ...needle.secret, form: needle.form, source, context: `${before}<${needle.secret.kind}>${after}` });
    };
    for (const m of normalized.matchAll(/[A-Za-z0-9+/=_-]{16,}/g)) {
      const token = stripPadding(m[0]);
      const at = m.index ?? 0;
      const whole = this.exact.get(token);
      if (whole) hit(whole, at, token.length);
      if (this.passwords.size > 0 && token.length > 5) {
        for (let i = token.indexOf('AVNS_'); i >= 0; i = token.indexOf('AVNS_', i + 1)) {
          for (const len of this.passwordLengths) {
            const needle = this.passwords.get(token.slice(i, i + len));
            if (needle) hit(needle, at + i, len);
          }
        }
      }
      // A DER as one base64 line: its PEM lines are 64-character pieces of it, at any offset.
      if (token.length > LINE) {
        for (let i = 0; i + LINE <= token.length; i++) {
          const needle = this.exact.get(token.slice(i, i + LINE));
          if (needle && needle.form === 'PEM line') hit(needle, at + i, LINE);
        }
      }
    }
    return hits;
  }
}

function stripPadding(s: string): string {
  return s.replace(/=+$/, '');
}
