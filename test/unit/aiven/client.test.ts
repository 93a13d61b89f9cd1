// The Aiven client against the in-process fake Aiven server (plus a tiny raw
// server for response shapes the fake never produces).

import { createServer, type Server } from 'node:http';
import { inspect } from 'node:util';
import type { AddressInfo } from 'node:net';
import { AivenClient, type AivenClientOptions, type AivenOperation } from '../../../src/aiven/client';
import { AivenApiError, isAlreadyExists, isNotFound } from '../../../src/aiven/errors';
import type { ValkeyAccessControl } from '../../../src/aiven/types';
import { defaultWorld, startFakeAiven, type RunningFakeAiven } from '../../../src/fake-aiven';

const TOKEN = 'client-test-token-5f2d9c';
const PROJECT = 'dev-nais-dev';
const KAFKA = 'kafka';
const OPENSEARCH = 'opensearch-team-logs';
const VALKEY = 'valkey-team-cache';
const REDACTED = '<redacted>';

const VALKEY_ACL: ValkeyAccessControl = {
  valkey_acl_categories: ['-@all', '+@connection', '+@scripting', '+@pubsub', '+@transaction', '+@read'],
  valkey_acl_commands: ['+info', '+cluster|slots'],
  valkey_acl_keys: ['*'],
  valkey_acl_channels: ['*'],
};

let fake: RunningFakeAiven;
let client: AivenClient;
const responses: { op: AivenOperation; status: number | 'network'; ms: number }[] = [];
let userSeq = 0;
const newName = (prefix = 'u'): string => `${prefix}_${Date.now().toString(36)}_${++userSeq}`;

const clientFor = (overrides: Partial<AivenClientOptions> = {}): AivenClient =>
  new AivenClient({
    baseUrl: fake.url,
    token: TOKEN,
    onResponse: (op, status, ms) => responses.push({ op, status, ms }),
    ...overrides,
  });

/** Runs fn, expects an AivenApiError, returns it. */
async function failure(fn: () => Promise<unknown>): Promise<AivenApiError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AivenApiError);
    return err as AivenApiError;
  }
  throw new Error('expected the call to fail');
}

/** Neither the token nor any credential the fake ever issued may appear in an error. */
async function expectNoSecretsIn(err: AivenApiError, extra: string[] = []): Promise<void> {
  const issued = (await fake.control.listIssuedSecrets()).map((s) => s.value);
  // inspect shows own properties and any `cause`, which JSON.stringify (toJSON) would hide.
  const texts = [err.message, JSON.stringify(err), String(err), err.stack ?? '', inspect(err, { depth: 5, showHidden: true })];
  expect(Object.keys(err).sort()).toEqual(expect.arrayContaining(['kind', 'operation']));
  for (const key of Object.keys(err)) expect(['name', 'kind', 'operation', 'status', 'retryAfterMs', 'forbidden']).toContain(key);
  expect('cause' in err).toBe(false);
  for (const text of texts) {
    expect(text).not.toContain(TOKEN);
    for (const secret of [...issued, ...extra]) expect(text).not.toContain(secret);
  }
}

beforeAll(async () => {
  fake = await startFakeAiven({
    token: TOKEN,
    projects: defaultWorld({
      projects: [PROJECT],
      opensearch: [{ namespace: 'team', instance: 'logs' }],
      valkey: [{ namespace: 'team', instance: 'cache' }],
    }),
  });
  client = clientFor();
});

afterEach(async () => {
  await fake.control.resetKnobs();
});

afterAll(async () => {
  await fake.close();
});

describe('successful calls', () => {
  it('listProjects', async () => {
    const res = await client.listProjects();
    expect(res.projects.map((p) => p.project_name)).toEqual([PROJECT]);
  });

  it('getProjectCa returns the PEM', async () => {
    const ca = await client.getProjectCa(PROJECT);
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(ca).toBe(await fake.control.getProjectCa(PROJECT));
  });

  it('getService returns the service with redacted users unless includeSecrets', async () => {
    const plain = await fake.control.getUser(PROJECT, KAFKA, 'avnadmin');
    const redacted = await client.getService(PROJECT, KAFKA);
    expect(redacted.service_name).toBe(KAFKA);
    expect(redacted.service_type).toBe('kafka');
    expect(redacted.state).toBe('RUNNING');
    expect(redacted.components?.find((c) => c.component === 'kafka' && c.usage === 'primary')).toBeDefined();
    const admin = redacted.users?.find((u) => u.username === 'avnadmin');
    expect(admin?.password).toBe(REDACTED);

    const withSecrets = await client.getService(PROJECT, KAFKA, { includeSecrets: true });
    expect(withSecrets.users?.find((u) => u.username === 'avnadmin')?.password).toBe(plain?.password);
  });

  it('createServiceUser returns plaintext credentials; getServiceUser redacts unless includeSecrets', async () => {
    const username = newName('kafka');
    const created = await client.createServiceUser(PROJECT, KAFKA, { username });
    const stored = await fake.control.getUser(PROJECT, KAFKA, username);
    expect(created.username).toBe(username);
    expect(created.type).toBe('normal');
    expect(created.password).toBe(stored?.password);
    expect(created.password).not.toBe(REDACTED);
    expect(created.access_key).toMatch(/PRIVATE KEY/);
    expect(created.access_cert).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const redacted = await client.getServiceUser(PROJECT, KAFKA, username);
    expect(redacted.password).toBe(REDACTED);

    const withSecrets = await client.getServiceUser(PROJECT, KAFKA, username, { includeSecrets: true });
    expect(withSecrets.password).toBe(created.password);
    expect(withSecrets.access_key).toBe(created.access_key);
  });

  it('createServiceUser sends access_control, echoed exactly', async () => {
    const username = newName('valkey');
    const created = await client.createServiceUser(PROJECT, VALKEY, { username, access_control: VALKEY_ACL });
    expect(created.access_control).toEqual(VALKEY_ACL);
    expect(Object.keys(created.access_control ?? {})).toEqual(Object.keys(VALKEY_ACL));
  });

  it('modifyServiceUser set-access-control returns the updated user from users[]', async () => {
    const username = newName('valkey');
    await client.createServiceUser(PROJECT, VALKEY, { username, access_control: VALKEY_ACL });
    const wanted: ValkeyAccessControl = { ...VALKEY_ACL, valkey_acl_categories: ['-@all', '+@read', '+@write'] };
    const updated = await client.modifyServiceUser(PROJECT, VALKEY, username, {
      operation: 'set-access-control',
      access_control: wanted,
    });
    expect(updated.username).toBe(username);
    expect(updated.access_control).toEqual(wanted);
  });

  it('modifyServiceUser reset-credentials with new_password (the answer is redacted)', async () => {
    const username = newName('valkey');
    await client.createServiceUser(PROJECT, VALKEY, { username });
    const newPassword = `np-${Date.now()}-abcdefgh`;
    const updated = await client.modifyServiceUser(PROJECT, VALKEY, username, {
      operation: 'reset-credentials',
      new_password: newPassword,
    });
    expect(updated.password).toBe(REDACTED);
    expect((await fake.control.getUser(PROJECT, VALKEY, username))?.password).toBe(newPassword);
  });

  it('resetServiceUserCredentials gives a new password', async () => {
    const username = newName('kafka');
    const created = await client.createServiceUser(PROJECT, KAFKA, { username });
    const reset = await client.resetServiceUserCredentials(PROJECT, KAFKA, username);
    expect(reset.username).toBe(username);
    expect(reset.password).toBe(REDACTED);
    const after = await client.getServiceUser(PROJECT, KAFKA, username, { includeSecrets: true });
    expect(after.password).not.toBe(created.password);
    expect(after.access_cert).not.toBe(created.access_cert);
  });

  it('deleteServiceUser removes the user', async () => {
    const username = newName('kafka');
    await client.createServiceUser(PROJECT, KAFKA, { username });
    await client.deleteServiceUser(PROJECT, KAFKA, username);
    expect(await fake.control.getUser(PROJECT, KAFKA, username)).toBeUndefined();
  });

  it('getOpenSearchAcl / updateOpenSearchAcl round-trip, extendedAcl included', async () => {
    const before = await client.getOpenSearchAcl(PROJECT, OPENSEARCH);
    expect(before).toEqual({ acls: [], enabled: false });
    const config = {
      enabled: true,
      extendedAcl: false,
      acls: [{ username: 'team-r-abc', rules: [{ index: '_*', permission: 'read' as const }, { index: '*', permission: 'read' as const }] }],
    };
    const updated = await client.updateOpenSearchAcl(PROJECT, OPENSEARCH, config);
    expect(updated).toEqual(config);
    expect(await client.getOpenSearchAcl(PROJECT, OPENSEARCH)).toEqual(config);
    expect(await fake.control.getOpenSearchAcl(PROJECT, OPENSEARCH)).toEqual(config);
  });
});

describe('request shape', () => {
  it('escapes every path segment', async () => {
    // With escaping, "a/b" stays one segment and reaches the user route (404 user),
    // instead of an unknown route.
    const err = await failure(() => client.getServiceUser(PROJECT, KAFKA, 'a/b?c#d'));
    expect(err.kind).toBe('not-found');
    expect(err.message).toContain('Service user does not exist');
    const log = await fake.control.getRequestLog();
    const last = log.entries[log.entries.length - 1];
    expect(last?.operation).toBe('getServiceUser');
    expect(last?.path).toBe(`/v1/project/${PROJECT}/service/${KAFKA}/user/a%2Fb%3Fc%23d`);
  });

  it('reports each response to onResponse, once per call', async () => {
    responses.length = 0;
    await client.getService(PROJECT, KAFKA);
    await failure(() => client.getService(PROJECT, 'nope'));
    expect(responses.map(({ op, status }) => ({ op, status }))).toEqual([
      { op: 'getService', status: 200 },
      { op: 'getService', status: 404 },
    ]);
    for (const r of responses) expect(r.ms).toBeGreaterThanOrEqual(0);
  });

  it('a throwing onResponse hook does not break the call', async () => {
    const c = clientFor({
      onResponse: () => {
        throw new Error('metrics down');
      },
    });
    await expect(c.listProjects()).resolves.toBeDefined();
  });
});

describe('errors', () => {
  it('404 for a missing user and a missing service → not-found', async () => {
    const missingUser = await failure(() => client.getServiceUser(PROJECT, KAFKA, 'nobody'));
    expect(missingUser).toMatchObject({ kind: 'not-found', status: 404, operation: 'getServiceUser' });
    expect(isNotFound(missingUser)).toBe(true);

    const missingDelete = await failure(() => client.deleteServiceUser(PROJECT, KAFKA, 'nobody'));
    expect(missingDelete).toMatchObject({ kind: 'not-found', status: 404, operation: 'deleteServiceUser' });

    const missingService = await failure(() => client.getService(PROJECT, 'no-such-service'));
    expect(missingService).toMatchObject({ kind: 'not-found', status: 404 });
    expect(missingService.message).toBe('Aiven getService failed: HTTP 404: Service no-such-service does not exist');

    const createInMissing = await failure(() => client.createServiceUser(PROJECT, 'no-such-service', { username: 'x' }));
    expect(createInMissing.kind).toBe('not-found');
  });

  it('409 duplicate user → already-exists', async () => {
    const username = newName('dup');
    await client.createServiceUser(PROJECT, KAFKA, { username });
    const err = await failure(() => client.createServiceUser(PROJECT, KAFKA, { username }));
    expect(err).toMatchObject({ kind: 'already-exists', status: 409, operation: 'createServiceUser' });
    expect(isAlreadyExists(err)).toBe(true);
  });

  it('429 → rate-limited with the delay parsed from the message', async () => {
    await fake.control.setKnobs({ burst429: 1, burst429RetryAfterSeconds: 17 });
    const err = await failure(() => client.listProjects());
    expect(err).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 17_000 });
    expect(err.message).toContain('try again in 17s');
    // The burst is over; the client itself never retried.
    await expect(client.listProjects()).resolves.toBeDefined();
  });

  it('429 from the fixed-window rate limit, with a Retry-After header', async () => {
    await fake.control.setKnobs({ rateLimit: { limit: 1, windowMs: 60_000 }, retryAfterHeader: true });
    await client.getProjectCa(PROJECT);
    const err = await failure(() => client.getProjectCa(PROJECT));
    expect(err.kind).toBe('rate-limited');
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it.each([500, 502, 503, 504])('%i → retryable, no client-side retry', async (status) => {
    await fake.control.resetRequestLog();
    await fake.control.setKnobs({ operationFaults: { getService: { status, remaining: 1 } } });
    const err = await failure(() => client.getService(PROJECT, KAFKA));
    expect(err).toMatchObject({ kind: 'retryable', status, operation: 'getService' });
    const counters = await fake.control.getCounters();
    expect(counters.byOperation.getService).toBe(1);
  });

  it('bad token → permanent 403 without the token anywhere', async () => {
    const wrongToken = 'wrong-token-3c9a7e';
    const bad = clientFor({ token: wrongToken });
    const err = await failure(() => bad.listProjects());
    expect(err).toMatchObject({ kind: 'permanent', status: 403, operation: 'listProjects', forbidden: 'authentication' });
    expect(err.message).toBe('Aiven listProjects failed: HTTP 403: the Aiven token was refused (Authentication failed); give Aivenator a valid, unexpired token');
    await expectNoSecretsIn(err, [wrongToken]);
  });

  it('other 4xx → permanent (validation)', async () => {
    const err = await failure(() => client.createServiceUser(PROJECT, KAFKA, { username: '-bad' }));
    expect(err).toMatchObject({ kind: 'permanent', status: 400 });
  });

  it('errors carry neither the token nor any password, even when the request or the body had one', async () => {
    const username = newName('leak');
    await client.createServiceUser(PROJECT, KAFKA, { username });
    const newPassword = `leak-candidate-${Date.now()}`;
    const stored = await fake.control.getUser(PROJECT, KAFKA, username);
    // An error body that echoes a credential must be dropped, not logged.
    await fake.control.setKnobs({
      operationFaults: {
        modifyServiceUser: { status: 400, remaining: 1, message: `bad new_password ${newPassword}; old was ${stored?.password}` },
      },
    });
    const err = await failure(() =>
      client.modifyServiceUser(PROJECT, KAFKA, username, { operation: 'reset-credentials', new_password: newPassword }),
    );
    expect(err).toMatchObject({ kind: 'permanent', status: 400 });
    expect(err.message).toContain('withheld');
    await expectNoSecretsIn(err, [newPassword]);

    // And the ordinary errors seen in this file.
    for (const e of [
      await failure(() => client.getServiceUser(PROJECT, KAFKA, 'nobody', { includeSecrets: true })),
      await failure(() => client.createServiceUser(PROJECT, KAFKA, { username })),
    ]) {
      await expectNoSecretsIn(e);
    }
  });

  it('network error (closed port) → retryable, reported as "network"', async () => {
    const port = await closedPort();
    responses.length = 0;
    const c = clientFor({ baseUrl: `http://127.0.0.1:${port}` });
    const err = await failure(() => c.createServiceUser(PROJECT, KAFKA, { username: 'x' }));
    expect(err.kind).toBe('retryable');
    expect(err.status).toBeUndefined();
    expect(err.message).toBe('Aiven createServiceUser failed: network error (ECONNREFUSED)');
    expect(responses).toEqual([{ op: 'createServiceUser', status: 'network', ms: expect.any(Number) }]);
    await expectNoSecretsIn(err);
  });

  it('timeout → retryable', async () => {
    await fake.control.setKnobs({ latencyMs: 500 });
    const c = clientFor({ timeoutMs: 100 });
    const err = await failure(() => c.getProjectCa(PROJECT));
    expect(err.kind).toBe('retryable');
    expect(err.message).toMatch(/network error \((ECONNABORTED|ETIMEDOUT)\)/);
    await expectNoSecretsIn(err);
  });
});

describe('response shapes the fake does not produce', () => {
  let raw: Server;
  let rawUrl: string;
  let answer: { status: number; body: string; headers?: Record<string, string> };

  beforeAll(async () => {
    raw = createServer((req, res) => {
      req.resume();
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    raw.closeAllConnections();
    await new Promise<void>((resolve) => raw.close(() => resolve()));
  });

  const rawClient = (): AivenClient => new AivenClient({ baseUrl: rawUrl, token: TOKEN });

  it('modify: user missing from the returned service → error', async () => {
    answer = { status: 200, body: JSON.stringify({ service: { service_name: 's', users: [{ username: 'other', password: 'pw-other-123' }] } }) };
    const err = await failure(() => rawClient().modifyServiceUser('p', 's', 'me', { operation: 'acknowledge-renewal' }));
    expect(err.kind).toBe('retryable');
    expect(err.message).toContain('missing from the returned service');
    expect(err.message).not.toContain('pw-other-123');
  });

  it('a 200 with errors[] is a failure with a generic message', async () => {
    answer = { status: 200, body: JSON.stringify({ message: 'Service user does not exist', errors: [{ message: 'x', status: 404 }] }) };
    const err = await failure(() => rawClient().getServiceUser('p', 's', 'u'));
    expect(err.kind).toBe('not-found');
    expect(err.message).toBe('Aiven getServiceUser failed: HTTP 200: Aiven reported an error in a successful response');
  });

  it('a non-JSON 2xx body → retryable, body not echoed', async () => {
    answer = { status: 200, body: '<html>password=hunter2</html>' };
    const err = await failure(() => rawClient().getProjectCa('p'));
    expect(err.kind).toBe('retryable');
    expect(err.message).not.toContain('hunter2');
  });

  it('a redirect is not followed (the token would go along)', async () => {
    answer = { status: 302, body: '', headers: { Location: 'http://example.invalid/' } };
    const err = await failure(() => rawClient().listProjects());
    expect(err).toMatchObject({ kind: 'permanent', status: 302 });
  });

  it('a 503 with Retry-After keeps the delay', async () => {
    answer = { status: 503, body: JSON.stringify({ message: 'Service unavailable', errors: [] }), headers: { 'Retry-After': '4' } };
    const err = await failure(() => rawClient().listProjects());
    expect(err).toMatchObject({ kind: 'retryable', status: 503, retryAfterMs: 4_000 });
  });
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
