// Errors in Aiven's documented "failed response" shape:
// {message, errors:[{message, status, error_code?}]} (aiven-api.md §1).

import type { AivenErrorBody } from '../aiven/types';

export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'FakeHttpError';
  }

  body(): AivenErrorBody {
    return errorBody(this.status, this.message, this.errorCode);
  }
}

export function errorBody(status: number, message: string, errorCode?: string): AivenErrorBody {
  const entry: AivenErrorBody['errors'][number] = { message, status };
  if (errorCode !== undefined) entry.error_code = errorCode;
  return { message, errors: [entry] };
}

export const badRequest = (message: string): FakeHttpError => new FakeHttpError(400, message);
export const notFound = (message: string): FakeHttpError => new FakeHttpError(404, message);
export const forbidden = (message: string): FakeHttpError => new FakeHttpError(403, message);
export const conflict = (message: string): FakeHttpError => new FakeHttpError(409, message);

/** The documented bad-token answer. */
export const authenticationFailed = (): FakeHttpError =>
  new FakeHttpError(403, 'Authentication failed', 'authentication_failed');

/** Message text of a real 429 body (aiven-api.md §1). */
export function rateLimitMessage(limit: number, retryAfterSeconds: number): string {
  return `The user has sent too many requests in a given amount of time: Rate limit ${limit} exceeded - try again in ${retryAfterSeconds}s`;
}
