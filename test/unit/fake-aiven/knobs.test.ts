// Contract: rate limiting (429 text and "try again in Ns"), bursts, injected 5xx
// (seeded fraction and per operation), latency, key pool and the request log.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { defaultWorld, type RunningFakeAiven } from '../../../src/fake-aiven';
import { FakeHttpError } from '../../../src/fake-aiven/errors';
import { Knobs } from '../../../src/fake-aiven/knobs';
import { PROJECT, call, expectErrorShape, startFake, svc, userPath } from './helpers';

const OS = 'opensearch-team-logs';
const RATE_LIMIT_TEXT = /^The user has sent too many requests in a given amount of time: Rate limit (\d+) exceeded - try again in (\d+)s$/;

let fake: RunningFakeAiven;

beforeAll(async () => {
  fake = await startFake({ projects: defaultWorld({ opensearch: [{ namespace: 'team', instance: 'logs' }] }) });
});

afterAll(() => fake.close());

afterEach(() => fake.control.resetKnobs());

const getService = (): ReturnType<typeof call> => call(fake, 'GET', `${svc(OS)}?limit=999`);

describe('rate limit', () => {
  it('answers 429 with Aiven\'s message, top-level and in errors[], once N requests were used', async () => {
    await fake.control.setKnobs({ rateLimit: { limit: 3, windowMs: 20_000 } });
    for (let i = 0; i < 3; i++) expect((await getService()).status).toBe(200);
    const res = await getService();
    expectErrorShape(res, 429, RATE_LIMIT_TEXT);
    const [, limit, seconds] = RATE_LIMIT_TEXT.exec(res.body.message)!;
    expect(Number(limit)).toBe(3);
    expect(Number(seconds)).toBeGreaterThanOrEqual(18);
    expect(Number(seconds)).toBeLessThanOrEqual(20);
    expect(res.body.errors[0].message).toBe(res.body.message);
    // Aiven is not documented to send Retry-After.
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('counts down "try again in Ns" with the window and opens again when it ends (exact times)', () => {
    const knobs = new Knobs({ rateLimit: { limit: 1, windowMs: 30_000 } });
    const retryAfter = (now: number): string => {
      try {
        knobs.admit('getService', now);
        return 'admitted';
      } catch (err) {
        expect(err).toBeInstanceOf(FakeHttpError);
        expect((err as FakeHttpError).status).toBe(429);
        return RATE_LIMIT_TEXT.exec((err as FakeHttpError).message)![2];
      }
    };
    const t0 = 1_000_000;
    expect(retryAfter(t0)).toBe('admitted');
    expect(retryAfter(t0 + 1)).toBe('30');
    expect(retryAfter(t0 + 10_000)).toBe('20');
    expect(retryAfter(t0 + 28_500)).toBe('2');
    expect(retryAfter(t0 + 29_999)).toBe('1');
    expect(retryAfter(t0 + 30_000)).toBe('admitted');
    expect(retryAfter(t0 + 30_001)).toBe('30');
  });

  it('opens again over HTTP when the window ends', async () => {
    await fake.control.setKnobs({ rateLimit: { limit: 1, windowMs: 1000 } });
    expect((await getService()).status).toBe(200);
    expect((await getService()).status).toBe(429);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await getService()).status).toBe(200);
  });

  it('can send a Retry-After header matching the message', async () => {
    await fake.control.setKnobs({ rateLimit: { limit: 0, windowMs: 5000 }, retryAfterHeader: true });
    const res = await getService();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe(RATE_LIMIT_TEXT.exec(res.body.message)![2]);
  });

  it('answers the next K requests with 429 when a burst is set', async () => {
    await fake.control.setKnobs({ burst429: 2, burst429RetryAfterSeconds: 7 });
    for (let i = 0; i < 2; i++) {
      const res = await getService();
      expectErrorShape(res, 429, RATE_LIMIT_TEXT);
      expect(RATE_LIMIT_TEXT.exec(res.body.message)![2]).toBe('7');
    }
    expect((await getService()).status).toBe(200);
    expect((await fake.control.getKnobs()).burst429).toBe(0);
  });
});

describe('injected 5xx', () => {
  async function statuses(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await getService()).status);
    return out;
  }

  it('fails a seeded fraction of requests, reproducibly', async () => {
    await fake.control.setKnobs({ faultFraction: 0.5, faultSeed: 42 });
    const first = await statuses(40);
    const failures = first.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
    expect(first.every((s) => s === 200 || s === 500)).toBe(true);

    await fake.control.setKnobs({ faultFraction: 0.5, faultSeed: 42 });
    expect(await statuses(40)).toEqual(first);
    await fake.control.setKnobs({ faultFraction: 0.5, faultSeed: 7 });
    expect(await statuses(40)).not.toEqual(first);
  });

  it('answers errors in the documented shape with the chosen status, limited to chosen operations', async () => {
    await fake.control.setKnobs({ faultFraction: 1, faultStatus: 503, faultOperations: ['getService'] });
    expectErrorShape(await getService(), 503);
    expect((await call(fake, 'GET', 'project')).status).toBe(200);
  });

  it('fails a named operation until cleared', async () => {
    await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'stuck' } });
    await fake.control.setKnobs({ operationFaults: { deleteServiceUser: {} } });
    for (let i = 0; i < 3; i++) expectErrorShape(await call(fake, 'DELETE', userPath(OS, 'stuck')), 500);
    expect((await getService()).status).toBe(200);
    expect(await fake.control.getUser(PROJECT, OS, 'stuck')).toBeDefined();
    await fake.control.setKnobs({ operationFaults: { deleteServiceUser: null } });
    expect((await call(fake, 'DELETE', userPath(OS, 'stuck'))).status).toBe(200);
  });

  it('fails a named operation for the next K calls only', async () => {
    await fake.control.setKnobs({ operationFaults: { getService: { remaining: 2, status: 502 } } });
    expect(await statuses(3)).toEqual([502, 502, 200]);
    expect((await fake.control.getKnobs()).operationFaults).toEqual({});
  });

  it('with phase "after" applies the operation, then fails (a lost response)', async () => {
    await fake.control.setKnobs({ operationFaults: { createServiceUser: { remaining: 1, phase: 'after' } } });
    expectErrorShape(await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'lost' } }), 500);
    expect(await fake.control.getUser(PROJECT, OS, 'lost')).toBeDefined();
    expectErrorShape(await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'lost' } }), 409, /already exists/);
  });
});

describe('latency', () => {
  it('delays every /v1 request', async () => {
    await fake.control.setKnobs({ latencyMs: 250 });
    const started = Date.now();
    expect((await getService()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });
});

describe('kafka key pool', () => {
  it('reuses pooled keys while every certificate stays unique and valid', async () => {
    await fake.control.setKnobs({ kafkaKeyPoolSize: 1 });
    const a = (await call(fake, 'POST', `${svc('kafka')}/user`, { body: { username: 'pool_a' } })).body.user;
    const b = (await call(fake, 'POST', `${svc('kafka')}/user`, { body: { username: 'pool_b' } })).body.user;
    expect(b.access_key).toBe(a.access_key);
    expect(b.access_cert).not.toBe(a.access_cert);
    expect(new X509Certificate(b.access_cert).checkPrivateKey(createPrivateKey(b.access_key))).toBe(true);
    await fake.control.setKnobs({ kafkaKeyPoolSize: 0 });
    const c = (await call(fake, 'POST', `${svc('kafka')}/user`, { body: { username: 'pool_c' } })).body.user;
    expect(c.access_key).not.toBe(a.access_key);
  });
});

describe('knob validation', () => {
  it('rejects bad knobs with 400 and leaves the knobs unchanged', async () => {
    await fake.control.setKnobs({ latencyMs: 5 });
    await expect(fake.control.setKnobs({ faultFraction: 2 })).rejects.toThrow(/400/);
    await expect(fake.control.setKnobs({ operationFaults: { explode: {} } } as never)).rejects.toThrow(/400/);
    await expect(fake.control.setKnobs({ nonsense: 1 } as never)).rejects.toThrow(/400/);
    await expect(fake.control.replaceKnobs({ latencyMs: -1 })).rejects.toThrow(/400/);
    expect((await fake.control.getKnobs()).latencyMs).toBe(5);
  });

  it('replaceKnobs starts from the defaults', async () => {
    await fake.control.setKnobs({ latencyMs: 5, burst429: 3 });
    const knobs = await fake.control.replaceKnobs({ serviceUserLimit: 10 });
    expect(knobs).toEqual(expect.objectContaining({ latencyMs: 0, burst429: 0, serviceUserLimit: 10 }));
  });
});

describe('request log', () => {
  it('records method, path, operation, status, time and the user concerned, and counts per operation and status', async () => {
    await fake.control.resetRequestLog();
    await call(fake, 'GET', 'project?limit=999');
    await call(fake, 'POST', `${svc(OS)}/user?limit=999`, { body: { username: 'logged' } });
    await call(fake, 'POST', `${svc(OS)}/user`, { body: { username: 'logged' } });
    await call(fake, 'GET', `${userPath(OS, 'logged')}?include_secrets=true`);
    await call(fake, 'GET', 'project', { auth: null });
    await call(fake, 'GET', 'no/such/route');

    const { entries, counters } = await fake.control.getRequestLog();
    expect(entries.map((e) => [e.method, e.path, e.operation, e.status, e.username])).toEqual([
      ['GET', '/v1/project', 'listProjects', 200, undefined],
      // A create's user comes from the body, the others' from the path.
      ['POST', `/v1/${svc(OS)}/user`, 'createServiceUser', 200, 'logged'],
      ['POST', `/v1/${svc(OS)}/user`, 'createServiceUser', 409, 'logged'],
      ['GET', `/v1/${userPath(OS, 'logged')}`, 'getServiceUser', 200, 'logged'],
      // Auth is checked before routing, so the operation is unknown.
      ['GET', '/v1/project', null, 403, undefined],
      ['GET', '/v1/no/such/route', null, 404, undefined],
    ]);
    for (const e of entries) {
      const keys = ['durationMs', 'method', 'operation', 'path', 'seq', 'status', 'time', ...(e.username ? ['username'] : [])];
      expect(Object.keys(e).sort()).toEqual(keys.sort());
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    }
    expect(counters.total).toBe(6);
    expect(counters.byOperation).toEqual({ listProjects: 1, createServiceUser: 2, getServiceUser: 1 });
    expect(counters.byStatus).toEqual({ '200': 3, '409': 1, '403': 1, '404': 1 });
    expect(counters.byOperationStatus.createServiceUser).toEqual({ '200': 1, '409': 1 });
    expect(await fake.control.getCounters()).toEqual(counters);

    // Cursor: only newer entries.
    const last = entries[entries.length - 1].seq;
    await getService();
    const newer = await fake.control.getRequestLog(last);
    expect(newer.entries.map((e) => e.operation)).toEqual(['getService']);
  });

  it('never holds a secret', async () => {
    await call(fake, 'POST', `${svc('kafka')}/user`, { body: { username: 'secretive' } });
    await call(fake, 'GET', `${svc('kafka')}?include_secrets=true`);
    const log = JSON.stringify(await fake.control.getRequestLog());
    const secrets = await fake.control.listIssuedSecrets();
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(log).not.toContain(s.value);
  });

  it('counts injected failures and 429s, and resets', async () => {
    await fake.control.resetRequestLog();
    await fake.control.setKnobs({ burst429: 1, operationFaults: { getService: { remaining: 1 } } });
    await getService();
    await getService();
    await getService();
    expect((await fake.control.getCounters()).byOperationStatus.getService).toEqual({ '429': 1, '500': 1, '200': 1 });
    await fake.control.resetRequestLog();
    expect(await fake.control.getCounters()).toEqual({ total: 0, byOperation: {}, byStatus: {}, byOperationStatus: {} });
    expect((await fake.control.getRequestLog()).entries).toEqual([]);
  });

  it('does not log control API calls', async () => {
    await fake.control.resetRequestLog();
    await fake.control.listUsers(PROJECT, OS);
    await fake.control.getKnobs();
    expect((await fake.control.getCounters()).total).toBe(0);
  });
});
