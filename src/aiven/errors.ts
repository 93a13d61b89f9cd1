// Errors from the Aiven client. Each carries a `kind` that decides how Temporal
// retries it, and a message that is safe to log: Aiven error bodies are scrubbed
// (aivenator-behaviour.md §2) and nothing from the request (token, body) is kept.

export type AivenOperation =
  | 'listProjects'
  | 'getProjectCa'
  | 'getService'
  | 'createServiceUser'
  | 'getServiceUser'
  | 'modifyServiceUser'
  | 'resetServiceUserCredentials'
  | 'deleteServiceUser'
  | 'getOpenSearchAcl'
  | 'updateOpenSearchAcl';

export type AivenErrorKind = 'permanent' | 'retryable' | 'already-exists' | 'not-found' | 'rate-limited';

/** Why a 403 was refused, when it can be told: the fix differs for each. */
export type AivenForbiddenReason = 'authentication' | 'secrets-permission' | 'project-permission';

/** Used when a 429 gives no usable delay. */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 30_000;

const MAX_MESSAGE_LENGTH = 300;

export interface AivenApiErrorOptions {
  kind: AivenErrorKind;
  operation: AivenOperation;
  /** Already scrubbed; becomes part of the message. */
  detail: string;
  status?: number;
  retryAfterMs?: number;
  forbidden?: AivenForbiddenReason;
}

export class AivenApiError extends Error {
  readonly kind: AivenErrorKind;
  readonly operation: AivenOperation;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly forbidden?: AivenForbiddenReason;

  constructor(opts: AivenApiErrorOptions) {
    const where = opts.status === undefined ? '' : `HTTP ${opts.status}: `;
    super(`Aiven ${opts.operation} failed: ${where}${opts.detail}`);
    this.name = 'AivenApiError';
    this.kind = opts.kind;
    this.operation = opts.operation;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.forbidden !== undefined) this.forbidden = opts.forbidden;
  }

  // Error's own `message` is not enumerable; include it so structured loggers and
  // JSON.stringify show something useful. Everything here is already safe.
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      operation: this.operation,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      forbidden: this.forbidden,
    };
  }
}

export function isAivenApiError(err: unknown): err is AivenApiError {
  return err instanceof AivenApiError;
}

export function isNotFound(err: unknown): boolean {
  return isAivenApiError(err) && err.kind === 'not-found';
}

export function isAlreadyExists(err: unknown): boolean {
  return isAivenApiError(err) && err.kind === 'already-exists';
}

export function isRateLimited(err: unknown): boolean {
  return isAivenApiError(err) && err.kind === 'rate-limited';
}

// Words that mean a body may echo credentials; such bodies are never logged.
const SENSITIVE = /password|token|secret|private key|certificate|avns_/i;

/** The raw `message` of an Aiven error body (top level, else the first `errors[]` entry). Not scrubbed. */
export function rawAivenMessage(body: unknown): string | undefined {
  const obj = asObject(typeof body === 'string' ? tryParseJson(body) : body);
  if (!obj) return undefined;
  if (typeof obj.message === 'string') return obj.message;
  if (Array.isArray(obj.errors)) {
    for (const e of obj.errors) {
      const entry = asObject(e);
      if (entry && typeof entry.message === 'string') return entry.message;
    }
  }
  return undefined;
}

/**
 * The part of an Aiven error body that may be logged:
 * a 2xx "error" → a generic text; a body mentioning anything secret-like → dropped;
 * otherwise only the JSON `message`.
 */
export function scrubAivenErrorBody(status: number, body: unknown): string {
  if (status >= 200 && status < 300) return 'Aiven reported an error in a successful response';
  const text = bodyText(body);
  if (text === '') return 'empty response body';
  if (SENSITIVE.test(text)) return 'error body withheld (may contain credentials)';
  const message = rawAivenMessage(body);
  if (message === undefined) return 'response body without a JSON message';
  // Control characters could forge log lines.
  const clean = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH)}…` : clean;
}

/**
 * Delay before retrying a 429: the longer of a `Retry-After` header and Aiven's
 * "try again in 28s" text, else the default. Aiven documents no header, but
 * honouring one costs nothing.
 */
export function parseRateLimitDelayMs(message: string | undefined, retryAfterHeader?: string, now = Date.now()): number {
  const candidates = [parseRetryAfterHeader(retryAfterHeader, now), parseTryAgainIn(message)].filter(
    (v): v is number => v !== undefined,
  );
  return candidates.length > 0 ? Math.max(...candidates) : DEFAULT_RATE_LIMIT_DELAY_MS;
}

export function parseTryAgainIn(message: string | undefined): number | undefined {
  if (!message) return undefined;
  const m = /try again in\s+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)?\b/i.exec(message);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit.startsWith('ms') || unit.startsWith('milli') ? 1 : unit.startsWith('m') ? 60_000 : 1000;
  return Number.isFinite(n) ? Math.ceil(n * factor) : undefined;
}

/** `Retry-After` is either delay-seconds or an HTTP-date. */
export function parseRetryAfterHeader(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface AivenHttpFailure {
  operation: AivenOperation;
  status: number;
  /** Parsed JSON or raw text. Used for classification, never kept. */
  body: unknown;
  retryAfterHeader?: string;
  /** The project in the path, if any: named in permission errors. */
  project?: string;
  /** The request asked for plaintext credentials (include_secrets=true). */
  includeSecrets?: boolean;
}

/** Turns a failed HTTP exchange (non-2xx, or a 2xx with `errors[]`) into a classified, scrubbed error. */
export function classifyHttpFailure(f: AivenHttpFailure): AivenApiError {
  const raw = rawAivenMessage(f.body);
  const detail = scrubAivenErrorBody(f.status, f.body);
  // A 2xx with errors[]: classify by the embedded status when there is one.
  const effective = f.status < 300 ? (embeddedStatus(f.body) ?? 500) : f.status;
  const base = { operation: f.operation, status: f.status, detail };

  if (effective === 404) return new AivenApiError({ ...base, kind: 'not-found' });
  if (effective === 409 && raw !== undefined && /already exists/i.test(raw)) {
    return new AivenApiError({ ...base, kind: 'already-exists' });
  }
  if (effective === 429) {
    return new AivenApiError({
      ...base,
      kind: 'rate-limited',
      retryAfterMs: parseRateLimitDelayMs(raw, f.retryAfterHeader),
    });
  }
  if (effective >= 500 || effective === 408) {
    // A Retry-After header or a "try again in" text, whichever asks for longer.
    const hinted = [parseRetryAfterHeader(f.retryAfterHeader), parseTryAgainIn(raw)].filter((v): v is number => v !== undefined);
    const retryAfterMs = hinted.length > 0 ? Math.max(...hinted) : undefined;
    return new AivenApiError({ ...base, kind: 'retryable', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (effective === 403) return forbiddenError(f, base);
  // Other 4xx (403 bad token included) and anything unexpected (3xx) will not fix itself.
  return new AivenApiError({ ...base, kind: 'permanent' });
}

/**
 * A 403 names its cause and its fix, as it becomes the application's condition:
 * a refused token, a token that may not read secrets (include_secrets=true needs
 * `service:secrets:read`), or a project the token is not a member of (Aiven may
 * answer 403 rather than 404). All are permanent: only an operator can fix them.
 */
function forbiddenError(f: AivenHttpFailure, base: { operation: AivenOperation; status: number; detail: string }): AivenApiError {
  const said = `Aiven said: ${base.detail}`;
  const where = f.project === undefined ? '' : ` in project ${JSON.stringify(f.project)}`;
  if (isAuthenticationFailure(f.body) || f.project === undefined) {
    return new AivenApiError({
      ...base,
      kind: 'permanent',
      forbidden: 'authentication',
      detail: `the Aiven token was refused (${base.detail}); give Aivenator a valid, unexpired token`,
    });
  }
  if (f.includeSecrets) {
    return new AivenApiError({
      ...base,
      kind: 'permanent',
      forbidden: 'secrets-permission',
      detail:
        `permission denied reading service-user credentials${where} (include_secrets=true): the token's user needs the ` +
        `service:secrets:read permission (or a project role that has it, such as admin or operator), or it is not a member ` +
        `of the project; grant it and the next sync succeeds. ${said}`,
    });
  }
  if (READS.has(f.operation)) {
    // A member may always read these, so a 403 means the token is not one.
    return new AivenApiError({
      ...base,
      kind: 'permanent',
      forbidden: 'project-permission',
      detail:
        `permission denied${where}: the token's user is probably not a member of the project (or lacks a role in it); ` +
        `add it to the project, or remove the project from Aivenator's --projects. ${said}`,
    });
  }
  // A refused change: a quota (the service-user limit, which Aiven raises on request) or a read-only role.
  return new AivenApiError({
    ...base,
    kind: 'permanent',
    detail:
      `Aiven refused the change${where} (${base.detail}): a quota such as the per-service user limit (Aiven raises it ` +
      `on request), or a role without write access for the token's user`,
  });
}

const READS: ReadonlySet<AivenOperation> = new Set(['getProjectCa', 'getService', 'getServiceUser', 'getOpenSearchAcl']);

function isAuthenticationFailure(body: unknown): boolean {
  const obj = asObject(typeof body === 'string' ? tryParseJson(body) : body);
  if (!obj) return false;
  const entries = Array.isArray(obj.errors) ? obj.errors.map(asObject) : [];
  if (entries.some((e) => e?.error_code === 'authentication_failed')) return true;
  return /authentication failed/i.test(rawAivenMessage(obj) ?? '');
}

/** A request that got no HTTP response (refused, reset, timed out, DNS). */
export function networkError(operation: AivenOperation, code: string | undefined): AivenApiError {
  const safeCode = code && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'unknown';
  return new AivenApiError({ operation, kind: 'retryable', detail: `network error (${safeCode})` });
}

/** A 2xx whose body is not what the API promises (not JSON, a field missing). */
export function unexpectedResponse(operation: AivenOperation, status: number, what: string): AivenApiError {
  return new AivenApiError({ operation, status, kind: 'retryable', detail: `unexpected response: ${what}` });
}

function embeddedStatus(body: unknown): number | undefined {
  const obj = asObject(typeof body === 'string' ? tryParseJson(body) : body);
  if (!obj || !Array.isArray(obj.errors)) return undefined;
  for (const e of obj.errors) {
    const s = asObject(e)?.status;
    if (typeof s === 'number' && s >= 400) return s;
  }
  return undefined;
}

/** True for a 2xx body that still carries a non-empty `errors[]` (the old Go client treats it as a failure). */
export function hasErrorsArray(body: unknown): boolean {
  const obj = asObject(body);
  return !!obj && Array.isArray(obj.errors) && obj.errors.length > 0;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    return '';
  }
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
