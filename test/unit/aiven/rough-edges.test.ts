// Aivenator's side of the real API's rough edges (issue 15), against the fake's
// knobs: the client and the get-or-create of service users. A "retry" here is
// what Temporal's activity retry does: call the activity again after a failure
// whose ApplicationFailure is retryable.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { AivenClient } from '../../../src/aiven/client';
import { AivenApiError, isAivenApiError } from '../../../src/aiven/errors';
import { toTemporalFailure } from '../../../src/aiven/failure';
import { defaultWorld, startFakeAiven, type RunningFakeAiven } from '../../../src/fake-aiven';
import { createCaches, type ActivityDeps } from '../../../activities/deps';
import { getOrCreateUser } from '../../../activities/service-users';
import { createLogger } from '../../../src/log';

const TOKEN = 'edges-token';
const PROJECT = 'dev-nais-dev';
const OS = 'opensearch-team-logs';

let fake: RunningFakeAiven;
let client: AivenClient;
let deps: ActivityDeps;
let seq = 0;
const name = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++seq}`;

beforeAll(async () => {
  fake = await startFakeAiven({
    token: TOKEN,
    projects: [...defaultWorld({ projects: [PROJECT], opensearch: [{ namespace: 'team', instance: 'logs' }] }), { name: 'other-team', services: [] }],
  });
  client = new AivenClient({ baseUrl: fake.url, token: TOKEN });
  deps = { aiven: client, log: createLogger({ level: 'silent', component: 'test' }), caches: createCaches(), projects: [PROJECT], mainProject: PROJECT } as unknown as ActivityDeps;
});
afterEach(() => fake.control.resetKnobs());
afterAll(() => fake.close());

async function failure(fn: () => Promise<unknown>): Promise<AivenApiError> {
  const err = await fn().then(() => undefined, (e: unknown) => e);
  if (!isAivenApiError(err)) throw new Error(`expected an AivenApiError, got ${String(err)}`);
  return err;
}

/** What Temporal sees: a retryable (or not) ApplicationFailure. */
function temporalRetries(err: AivenApiError): boolean {
  const f = toTemporalFailure(err) as ApplicationFailure;
  return f.nonRetryable === false;
}

describe('a 409 on create is confirmed by reading the user', () => {
  it('treats a 409 without "already exists" as already-exists when the user is there', async () => {
    const username = name('dup');
    const first = await getOrCreateUser(deps, PROJECT, OS, username);
    await fake.control.setKnobs({ conflictMessage: 'Conflict' });
    const second = await getOrCreateUser(deps, PROJECT, OS, username);
    expect(second.created).toBe(false);
    expect(second.user.password).toBe(first.user.password);
  });

  it('gives a clear, retryable error when the 409 names a user that cannot be read', async () => {
    const username = name('ghost');
    await getOrCreateUser(deps, PROJECT, OS, username);
    await fake.control.deleteUser(PROJECT, OS, username);
    // The create conflicts (injected), but the user is gone.
    await fake.control.setKnobs({ operationFaults: { createServiceUser: { status: 409, message: 'Conflict', remaining: 1 } } });
    const err = await failure(() => getOrCreateUser(deps, PROJECT, OS, username));
    expect(err.message).toMatch(new RegExp(`409 Conflict to creating service user ${username}.*does not exist`));
    expect(temporalRetries(err)).toBe(true);
    // The retry creates it.
    await expect(getOrCreateUser(deps, PROJECT, OS, username)).resolves.toMatchObject({ created: true });
  });
});

describe('eventual consistency after a create', () => {
  it('never hands out an empty password: retryable, and the retry reads the real one', async () => {
    const username = name('empty');
    await fake.control.setKnobs({ emptyPasswordAnswers: 1 });
    const err = await failure(() => getOrCreateUser(deps, PROJECT, OS, username));
    expect(err.message).toMatch(/has no password yet/);
    expect(temporalRetries(err)).toBe(true);
    const retried = await getOrCreateUser(deps, PROJECT, OS, username);
    expect(retried.created).toBe(false);
    expect(retried.user.password).toMatch(/^AVNS_/);
  });

  it('treats a null password the same way', async () => {
    await fake.control.setKnobs({ emptyPasswordAnswers: 1, emptyPasswordValue: 'null' });
    const err = await failure(() => getOrCreateUser(deps, PROJECT, OS, name('null')));
    expect(err.message).toMatch(/has no password yet/);
  });

  it('retries a 404 right after a create (409, then the read answers 404) until the user reads', async () => {
    const username = name('lag');
    // The create's answer has no password, the retry's read of the user answers 404, the next retry succeeds.
    await fake.control.setKnobs({ emptyPasswordAnswers: 1, notFoundAfterCreate: 1 });
    const attempts: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        const ok = await getOrCreateUser(deps, PROJECT, OS, username);
        attempts.push(`ok created=${ok.created}`);
        expect(ok.user.password).toMatch(/^AVNS_/);
        break;
      } catch (err) {
        if (!isAivenApiError(err) || !temporalRetries(err)) throw err;
        attempts.push(err.message);
      }
    }
    expect(attempts).toHaveLength(3);
    expect(attempts[0]).toMatch(/has no password yet/);
    expect(attempts[1]).toMatch(/already exists, but reading it answers 404.*retrying/);
    expect(attempts[2]).toBe('ok created=false');
  });
});

describe('a CA bundle', () => {
  it('is returned whole: both certificates', async () => {
    await fake.control.setKnobs({ caBundle: true });
    const ca = await client.getProjectCa(PROJECT);
    expect(ca.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
  });
});

describe('permissions', () => {
  it('a 403 on include_secrets names the missing permission and the fix, and is permanent', async () => {
    const username = name('secret');
    await getOrCreateUser(deps, PROJECT, OS, username);
    await fake.control.setKnobs({ forbidSecrets: true });
    const err = await failure(() => getOrCreateUser(deps, PROJECT, OS, username));
    expect(err.forbidden).toBe('secrets-permission');
    expect(err.message).toMatch(/permission denied reading service-user credentials in project "dev-nais-dev" \(include_secrets=true\)/);
    expect(err.message).toMatch(/service:secrets:read/);
    expect(err.message).toMatch(/grant it/);
    expect(temporalRetries(err)).toBe(false);
  });

  it('a 403 for a project the token is not a member of says so, and is permanent', async () => {
    await fake.control.setKnobs({ forbiddenProjects: ['other-team'] });
    const err = await failure(() => client.getProjectCa('other-team'));
    expect(err.forbidden).toBe('project-permission');
    expect(err.message).toMatch(/permission denied in project "other-team": the token's user is probably not a member/);
    expect(err.message).toMatch(/add it to the project, or remove the project from Aivenator's --projects/);
    expect(temporalRetries(err)).toBe(false);
  });

  it('a refused token stays an authentication error', async () => {
    const err = await failure(() => new AivenClient({ baseUrl: fake.url, token: 'wrong' }).getProjectCa(PROJECT));
    expect(err.forbidden).toBe('authentication');
    expect(err.message).toMatch(/token was refused/);
  });
});

describe('empty 2xx bodies from the fake', () => {
  it.each([200, 204] as const)('a user DELETE answered %i without a body is success', async (status) => {
    const username = name('bodiless');
    await getOrCreateUser(deps, PROJECT, OS, username);
    await fake.control.setKnobs({ emptyDeleteStatus: status });
    await expect(client.deleteServiceUser(PROJECT, OS, username)).resolves.toBeUndefined();
    expect(await fake.control.getUser(PROJECT, OS, username)).toBeUndefined();
  });
});

describe('answers the fake cannot give', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: string; headers?: Record<string, string> };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const raw = (): AivenClient => new AivenClient({ baseUrl: url, token: TOKEN });

  it.each([200, 204])('DELETE %i without a body is success', async (status) => {
    answer = { status, body: '' };
    await expect(raw().deleteServiceUser(PROJECT, OS, 'u')).resolves.toBeUndefined();
  });

  it('a GET 200 without a body is still an unexpected (retryable) answer', async () => {
    answer = { status: 200, body: '' };
    const err = await failure(() => raw().getServiceUser(PROJECT, OS, 'u'));
    expect(err.kind).toBe('retryable');
  });

  it('a 503 honours Retry-After, and the "try again in" text, whichever is longer', async () => {
    answer = { status: 503, body: JSON.stringify({ message: 'Service unavailable' }), headers: { 'Retry-After': '7' } };
    expect((await failure(() => raw().getProjectCa(PROJECT))).retryAfterMs).toBe(7000);
    answer = { status: 503, body: JSON.stringify({ message: 'Busy - try again in 12s' }), headers: { 'Retry-After': '7' } };
    expect((await failure(() => raw().getProjectCa(PROJECT))).retryAfterMs).toBe(12_000);
  });

  it('a 429 honours Retry-After over a shorter text delay', async () => {
    answer = { status: 429, body: JSON.stringify({ message: 'Rate limit 120 exceeded - try again in 2s' }), headers: { 'Retry-After': '9' } };
    const err = await failure(() => raw().getProjectCa(PROJECT));
    expect(err).toMatchObject({ kind: 'rate-limited', retryAfterMs: 9000 });
    expect((toTemporalFailure(err) as ApplicationFailure).nextRetryDelay).toBe(9000);
  });

  it('a CA answer without a PEM certificate is not accepted', async () => {
    answer = { status: 200, body: JSON.stringify({ certificate: '' }) };
    expect((await failure(() => raw().getProjectCa(PROJECT))).kind).toBe('retryable');
  });
});

describe('a 403 on a change', () => {
  it('(the service-user limit) is not mistaken for a missing project membership', async () => {
    await fake.control.setKnobs({ serviceUserLimit: 0 });
    const err = await failure(() => client.createServiceUser(PROJECT, OS, { username: name('over') }));
    expect(err.forbidden).toBeUndefined();
    expect(err.message).toMatch(/Aiven refused the change in project "dev-nais-dev" \(Service user limit reached\): a quota such as the per-service user limit/);
    expect(temporalRetries(err)).toBe(false);
  });
});
