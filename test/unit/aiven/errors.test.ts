import { ApplicationFailure } from '@temporalio/common';
import {
  AivenApiError,
  DEFAULT_RATE_LIMIT_DELAY_MS,
  classifyHttpFailure,
  isAivenApiError,
  isAlreadyExists,
  isNotFound,
  isRateLimited,
  networkError,
  parseRateLimitDelayMs,
  parseRetryAfterHeader,
  parseTryAgainIn,
  scrubAivenErrorBody,
  unexpectedResponse,
} from '../../../src/aiven/errors';
import { toTemporalFailure } from '../../../src/aiven/failure';

const aivenBody = (message: string, status: number, extra: Record<string, unknown> = {}) => ({
  message,
  errors: [{ message, status, ...extra }],
});

const RATE_LIMIT_TEXT =
  'The user has sent too many requests in a given amount of time: Rate limit 120 exceeded - try again in 28s';

describe('classifyHttpFailure', () => {
  const classify = (status: number, body: unknown, retryAfterHeader?: string) =>
    classifyHttpFailure({ operation: 'getServiceUser', status, body, ...(retryAfterHeader ? { retryAfterHeader } : {}) });

  it('404 → not-found', () => {
    const err = classify(404, aivenBody('Service user does not exist', 404));
    expect(err.kind).toBe('not-found');
    expect(err.status).toBe(404);
    expect(err.operation).toBe('getServiceUser');
    expect(isNotFound(err)).toBe(true);
    expect(err.message).toBe('Aiven getServiceUser failed: HTTP 404: Service user does not exist');
  });

  it('409 with "already exists" → already-exists', () => {
    const err = classify(409, aivenBody('Service user already exists', 409));
    expect(err.kind).toBe('already-exists');
    expect(isAlreadyExists(err)).toBe(true);
  });

  it('409 without "already exists" → permanent', () => {
    expect(classify(409, aivenBody('Conflicting operation in progress', 409)).kind).toBe('permanent');
  });

  it('already-exists is found in errors[] when the top-level message is missing', () => {
    expect(classify(409, { errors: [{ message: 'Identical ACL entry already exists', status: 409 }] }).kind).toBe(
      'already-exists',
    );
  });

  it('429 → rate-limited with the delay from "try again in Ns"', () => {
    const err = classify(429, aivenBody(RATE_LIMIT_TEXT, 429));
    expect(err.kind).toBe('rate-limited');
    expect(err.retryAfterMs).toBe(28_000);
    expect(isRateLimited(err)).toBe(true);
  });

  it('429 honours a Retry-After header', () => {
    expect(classify(429, aivenBody('Too many requests', 429), '7').retryAfterMs).toBe(7_000);
  });

  it('429 takes the longer of header and message', () => {
    expect(classify(429, aivenBody(RATE_LIMIT_TEXT, 429), '5').retryAfterMs).toBe(28_000);
    expect(classify(429, aivenBody(RATE_LIMIT_TEXT, 429), '60').retryAfterMs).toBe(60_000);
  });

  it('429 without any delay falls back to the default', () => {
    expect(classify(429, 'Too Many Requests').retryAfterMs).toBe(DEFAULT_RATE_LIMIT_DELAY_MS);
  });

  it.each([500, 501, 502, 503, 504, 408])('%i → retryable', (status) => {
    expect(classify(status, aivenBody('Internal error', status)).kind).toBe('retryable');
  });

  it('503 keeps a Retry-After delay', () => {
    expect(classify(503, '', '3').retryAfterMs).toBe(3_000);
    expect(classify(503, '').retryAfterMs).toBeUndefined();
  });

  it.each([400, 401, 403, 405, 422])('%i → permanent', (status) => {
    expect(classify(status, aivenBody('Nope', status)).kind).toBe('permanent');
  });

  it('403 bad token → permanent', () => {
    const err = classify(403, aivenBody('Authentication failed', 403, { error_code: 'authentication_failed' }));
    expect(err.kind).toBe('permanent');
    expect(err.forbidden).toBe('authentication');
    expect(err.message).toBe('Aiven getServiceUser failed: HTTP 403: the Aiven token was refused (Authentication failed); give Aivenator a valid, unexpired token');
  });

  it('a 2xx with errors[] classifies by the embedded status and uses a generic message', () => {
    const err = classify(200, aivenBody('Service user does not exist', 404));
    expect(err.kind).toBe('not-found');
    expect(err.message).not.toContain('does not exist');
    expect(err.message).toContain('successful response');
  });

  it('a 2xx with errors[] and no embedded status is retryable', () => {
    expect(classify(200, { errors: [{ message: 'weird' }] }).kind).toBe('retryable');
  });

  it('3xx → permanent (redirects are not followed)', () => {
    expect(classify(302, '').kind).toBe('permanent');
  });
});

describe('scrubAivenErrorBody', () => {
  it('keeps only the JSON message', () => {
    expect(scrubAivenErrorBody(404, { ...aivenBody('Service foo does not exist', 404), more: 'x' })).toBe(
      'Service foo does not exist',
    );
    expect(scrubAivenErrorBody(404, JSON.stringify(aivenBody('Service foo does not exist', 404)))).toBe(
      'Service foo does not exist',
    );
  });

  it('a 2xx error becomes generic', () => {
    expect(scrubAivenErrorBody(200, aivenBody('Service foo does not exist', 404))).toBe(
      'Aiven reported an error in a successful response',
    );
  });

  it.each(['password', 'PassWord', 'token', 'secret', 'Private Key', 'certificate', 'AVNS_abc'])(
    'drops a body mentioning %s (anywhere in the body)',
    (word) => {
      const inMessage = scrubAivenErrorBody(400, aivenBody(`bad ${word} value`, 400));
      const elsewhere = scrubAivenErrorBody(400, { message: 'Bad request', errors: [{ message: 'x', hint: word }] });
      for (const out of [inMessage, elsewhere]) {
        expect(out).toBe('error body withheld (may contain credentials)');
        expect(out.toLowerCase()).not.toContain(word.toLowerCase());
      }
    },
  );

  it('drops non-JSON bodies', () => {
    expect(scrubAivenErrorBody(502, '<html>Bad gateway from proxy 10.0.0.1</html>')).toBe(
      'response body without a JSON message',
    );
    expect(scrubAivenErrorBody(502, undefined)).toBe('empty response body');
  });

  it('strips control characters and truncates long messages', () => {
    expect(scrubAivenErrorBody(400, { message: 'line1\nFAKE LOG LINE' })).toBe('line1 FAKE LOG LINE');
    const long = scrubAivenErrorBody(400, { message: 'x'.repeat(1000) });
    expect(long.length).toBeLessThanOrEqual(301);
  });
});

describe('delay parsing', () => {
  it('parses "try again in N<unit>"', () => {
    expect(parseTryAgainIn(RATE_LIMIT_TEXT)).toBe(28_000);
    expect(parseTryAgainIn('try again in 1.5s')).toBe(1_500);
    expect(parseTryAgainIn('try again in 2 seconds')).toBe(2_000);
    expect(parseTryAgainIn('Try again in 500ms')).toBe(500);
    expect(parseTryAgainIn('try again in 2m')).toBe(120_000);
    expect(parseTryAgainIn('try again in 3')).toBe(3_000);
    expect(parseTryAgainIn('try again later')).toBeUndefined();
    expect(parseTryAgainIn(undefined)).toBeUndefined();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterHeader('12', now)).toBe(12_000);
    expect(parseRetryAfterHeader('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterHeader('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterHeader('soon', now)).toBeUndefined();
    expect(parseRetryAfterHeader(undefined, now)).toBeUndefined();
  });

  it('falls back to the default', () => {
    expect(parseRateLimitDelayMs('slow down')).toBe(DEFAULT_RATE_LIMIT_DELAY_MS);
  });
});

describe('other constructors', () => {
  it('network errors are retryable and carry only the code', () => {
    const err = networkError('listProjects', 'ECONNREFUSED');
    expect(err.kind).toBe('retryable');
    expect(err.status).toBeUndefined();
    expect(err.message).toBe('Aiven listProjects failed: network error (ECONNREFUSED)');
    expect(networkError('listProjects', 'connect to http://user:pw@host').message).toContain('(unknown)');
  });

  it('unexpected 2xx bodies are retryable', () => {
    expect(unexpectedResponse('getService', 200, 'no service object').kind).toBe('retryable');
  });

  it('serialises only safe fields', () => {
    const err = classifyHttpFailure({ operation: 'createServiceUser', status: 409, body: aivenBody('User already exists', 409) });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'AivenApiError',
      message: 'Aiven createServiceUser failed: HTTP 409: User already exists',
      kind: 'already-exists',
      operation: 'createServiceUser',
      status: 409,
    });
  });

  it('isAivenApiError', () => {
    expect(isAivenApiError(networkError('getService', 'ETIMEDOUT'))).toBe(true);
    expect(isAivenApiError(new Error('x'))).toBe(false);
    expect(isAivenApiError(undefined)).toBe(false);
    expect(isNotFound(new Error('404'))).toBe(false);
    expect(isAlreadyExists({ kind: 'already-exists' })).toBe(false);
  });
});

describe('toTemporalFailure', () => {
  const mk = (kind: AivenApiError['kind'], status?: number, retryAfterMs?: number) =>
    new AivenApiError({
      kind,
      operation: 'createServiceUser',
      detail: 'something',
      ...(status !== undefined ? { status } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });

  const asFailure = (v: unknown): ApplicationFailure => {
    expect(v).toBeInstanceOf(ApplicationFailure);
    return v as ApplicationFailure;
  };

  it('permanent → non-retryable AivenPermanentError with operation and status', () => {
    const err = mk('permanent', 403);
    const f = asFailure(toTemporalFailure(err));
    expect(f.type).toBe('AivenPermanentError');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toBe(err.message);
    expect(f.details).toEqual([{ operation: 'createServiceUser', status: 403 }]);
    expect(f.nextRetryDelay).toBeUndefined();
  });

  it('rate-limited → retryable AivenRateLimited with nextRetryDelay', () => {
    const f = asFailure(toTemporalFailure(mk('rate-limited', 429, 28_000)));
    expect(f.type).toBe('AivenRateLimited');
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(28_000);
  });

  it('rate-limited without a delay uses the default', () => {
    expect(asFailure(toTemporalFailure(mk('rate-limited', 429))).nextRetryDelay).toBe(DEFAULT_RATE_LIMIT_DELAY_MS);
  });

  it('retryable → AivenRetryableError; network errors have no status', () => {
    const f = asFailure(toTemporalFailure(networkError('getService', 'ECONNRESET')));
    expect(f.type).toBe('AivenRetryableError');
    expect(f.nonRetryable).toBe(false);
    expect(f.details).toEqual([{ operation: 'getService', status: undefined }]);
    expect(f.nextRetryDelay).toBeUndefined();
  });

  it('retryable with Retry-After → nextRetryDelay', () => {
    expect(asFailure(toTemporalFailure(mk('retryable', 503, 3_000))).nextRetryDelay).toBe(3_000);
  });

  it.each([
    ['not-found', 'AivenNotFound'],
    ['already-exists', 'AivenAlreadyExists'],
  ] as const)('%s → retryable %s', (kind, type) => {
    const f = asFailure(toTemporalFailure(mk(kind, kind === 'not-found' ? 404 : 409)));
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(false);
  });

  it('leaves other errors unchanged', () => {
    const e = new Error('boom');
    expect(toTemporalFailure(e)).toBe(e);
    expect(toTemporalFailure('str')).toBe('str');
  });
});
