// Shared helpers for the fake Aiven contract tests: an in-process server and a
// minimal raw HTTP caller, so the tests see exactly what a client would.

import { startFakeAiven, type FakeAivenOptions, type RunningFakeAiven } from '../../../src/fake-aiven';

export const TOKEN = 'test-token';
export const PROJECT = 'dev-nais-dev';

export interface RawResponse {
  status: number;
  headers: Headers;
  // any: tests inspect arbitrary JSON bodies field by field.
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Authorization header value; null sends none. Default `aivenv1 <TOKEN>`. */
  auth?: string | null;
}

/** Calls `${fake.url}/v1/${path}`; path is used as given (callers encode). */
export async function call(fake: RunningFakeAiven, method: string, path: string, opts: CallOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const auth = opts.auth === undefined ? `aivenv1 ${TOKEN}` : opts.auth;
  if (auth !== null) headers.Authorization = auth;
  const res = await fetch(`${fake.url}/v1/${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export function startFake(opts: FakeAivenOptions = {}): Promise<RunningFakeAiven> {
  return startFakeAiven({ token: TOKEN, ...opts });
}

export const svc = (service: string, project = PROJECT): string => `project/${project}/service/${service}`;
export const userPath = (service: string, username: string, project = PROJECT): string =>
  `${svc(service, project)}/user/${encodeURIComponent(username)}`;

/** The documented error body shape (aiven-api.md §1). */
export function expectErrorShape(res: RawResponse, status: number, message?: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(typeof res.body.message).toBe('string');
  expect(Array.isArray(res.body.errors)).toBe(true);
  expect(res.body.errors[0]).toEqual(expect.objectContaining({ message: res.body.message, status }));
  if (typeof message === 'string') expect(res.body.message).toBe(message);
  else if (message) expect(res.body.message).toMatch(message);
}
