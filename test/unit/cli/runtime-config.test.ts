// Configuration of the long-running commands: Go-compatible flags over
// AIVENATOR_*, Temporal's client profile (envconfig), the https-only Aiven
// URL, and the messages a broken Temporal setup produces.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Io, appTarget } from '../../../src/cli/common';
import { RUNTIME_FLAGS, environmentHelp, flagsToEnv } from '../../../src/cli/flags';
import { main } from '../../../src/cli/main';
import { ConfigError, loadConfig } from '../../../src/config';
import { isExpectedNoWorkflows } from '../../../src/metrics/temporal-runtime';
import { AivenHealth } from '../../../src/runtime/aiven-health';
import { SignalHealth } from '../../../src/runtime/signal-health';
import { connectionOptions, describeTemporalError, missingSearchAttribute } from '../../../src/runtime/temporal';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), interactive: false };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-config-'));
const file = (name: string, text: string) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
};
// No profile file of the machine's user leaks into these tests.
const base = { AIVENATOR_AIVEN_TOKEN: 't', TEMPORAL_CONFIG_FILE: path.join(tmp, 'absent.toml') };

describe('Go aivenator flags', () => {
  it('accepts every flag the Go binary has', () => {
    const go = RUNTIME_FLAGS.filter((f) => f.go).map((f) => f.flag).sort();
    expect(go).toEqual(['aiven-token', 'kubernetes-write-retry-interval', 'log-format', 'log-level', 'main-project', 'metrics-address', 'projects', 'sync-period'].sort());
  });

  it('turns flags into the variables they stand for; repeated --projects are joined', () => {
    expect(flagsToEnv({ aivenToken: 'x', projects: ['a,b', 'c'], syncPeriod: '2h', temporalNamespace: 'ops' })).toEqual({
      AIVENATOR_AIVEN_TOKEN: 'x', AIVENATOR_PROJECTS: 'a,b c', AIVENATOR_SYNC_PERIOD: '2h', TEMPORAL_NAMESPACE: 'ops',
    });
    expect(loadConfig({ ...base, AIVENATOR_PROJECTS: 'a,b c' }).projects).toEqual(['a', 'b', 'c']);
  });

  it('parses bare flags (an existing Deployment\'s args) as `run`, in both forms, and flags win over variables', async () => {
    const io = capture();
    // An http URL given as a flag over an https variable: the flag is what loadConfig sees (and refuses).
    process.env.AIVENATOR_AIVEN_URL = 'https://api.aiven.io';
    const code = await main(['node', 'aivenator', '--aiven-token=x', '--log-format=json', '--projects', 'a,b', '--sync-period=1h', '--kubernetes-write-retry-interval', '10s', '--aiven-url=http://aiven.example'], io).finally(() => delete process.env.AIVENATOR_AIVEN_URL);
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/AIVENATOR_AIVEN_URL must use https:\/\//);
    expect(io.stderr.join('\n')).not.toMatch(/unknown option/);
  });

  it('checks --kubernetes-write-retry-interval like the Go binary (a duration), though nothing uses it', () => {
    expect(() => loadConfig({ ...base, AIVENATOR_KUBERNETES_WRITE_RETRY_INTERVAL: 'often' })).toThrow(/KUBERNETES_WRITE_RETRY_INTERVAL must be a duration/);
  });

  it('lists the environment variables in the help of run, worker and controller', async () => {
    for (const verb of ['run', 'worker', 'controller']) {
      const io = capture();
      expect(await main(['node', 'aivenator', verb, '--help'], io)).toBe(0);
      const help = io.stdout.join('\n');
      expect(help).toContain('Environment (a flag wins over its variable)');
      for (const name of ['AIVENATOR_PROJECTS', 'AIVENATOR_LOG_FORMAT', 'TEMPORAL_ADDRESS', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_PROFILE']) expect(help).toContain(name);
      expect(help).toContain('--kubernetes-write-retry-interval');
    }
    expect(environmentHelp('controller')).not.toContain('AIVENATOR_AIVEN_TOKEN');
  });
});

describe('-n is the Kubernetes namespace', () => {
  it('takes <ns>/<app> or -n <ns> <app>, and refuses a contradiction', () => {
    expect(appTarget('orders/checkout')).toEqual({ namespace: 'orders', name: 'checkout' });
    expect(appTarget('checkout', 'orders')).toEqual({ namespace: 'orders', name: 'checkout' });
    expect(() => appTarget('orders/checkout', 'billing')).toThrow(/contradicts/);
    expect(() => appTarget('checkout')).toThrow(/-n <namespace> checkout/);
  });

  it('status, history, retry and replay take -n and --temporal-namespace', async () => {
    for (const verb of ['status', 'history', 'retry', 'replay']) {
      const io = capture();
      expect(await main(['node', 'aivenator', verb, '--help'], io)).toBe(0);
      const help = io.stdout.join('\n');
      expect(help).toMatch(/-n, --namespace <namespace>\s+Kubernetes namespace/);
      expect(help).toContain('--temporal-namespace <namespace>');
    }
  });
});

describe('finalizer verbs', () => {
  it('skip needs a reason (recorded in the CleanupSkipped event), checked before anything is contacted', async () => {
    const io = capture();
    expect(await main(['node', 'aivenator', 'finalizer', 'skip', '-n', 'orders', 'checkout-kafka'], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('finalizer skip needs --reason');
    const help = capture();
    expect(await main(['node', 'aivenator', 'finalizer', '--help'], help)).toBe(0);
    expect(help.stdout.join('\n')).toMatch(/show \[options\] <secret>[\s\S]*skip \[options\] <secret>/);
  });
});

describe('the Aiven URL', () => {
  it('must be https unless explicitly allowed for a local fake', () => {
    expect(loadConfig(base).aivenUrl).toBe('https://api.aiven.io');
    expect(() => loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'http://127.0.0.1:9000' })).toThrow(/must use https:\/\/.*AIVENATOR_ALLOW_INSECURE_AIVEN_URL=true/);
    expect(() => loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(loadConfig({ ...base, AIVENATOR_AIVEN_URL: 'http://127.0.0.1:9000/', AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true' }).aivenUrl).toBe('http://127.0.0.1:9000');
  });
});

describe('Temporal connection settings (envconfig)', () => {
  const ca = file('ca.pem', 'CA');
  const crt = file('client.pem', 'CRT');
  const key = file('client.key', 'KEY');
  const toml = file('temporal.toml', [
    '[profile.default]', 'address = "default.example:7233"', 'namespace = "dflt"', '',
    '[profile.prod]', 'address = "prod.example:7233"', 'namespace = "aivenator-prod"',
    '[profile.prod.tls]', `server_ca_cert_path = "${ca}"`, 'server_name = "temporal.internal"', `client_cert_path = "${crt}"`, `client_key_path = "${key}"`, '',
    '[profile.halfmtls]', 'address = "half.example:7233"', '[profile.halfmtls.tls]', `client_cert_path = "${crt}"`,
  ].join('\n'));

  it('reads a profile: address, namespace, server CA, server name and the client pair', () => {
    const config = loadConfig({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    expect(config.temporal).toMatchObject({ address: 'prod.example:7233', namespace: 'aivenator-prod', profile: 'prod' });
    const options = connectionOptions(config, config.temporal.address!);
    expect(options.tls).toEqual({
      serverNameOverride: 'temporal.internal',
      serverRootCACertificate: Buffer.from('CA'),
      clientCertPair: { crt: Buffer.from('CRT'), key: Buffer.from('KEY') },
    });
  });

  it('lets TEMPORAL_* variables override the profile; the default profile applies without TEMPORAL_PROFILE', () => {
    expect(loadConfig({ ...base, TEMPORAL_CONFIG_FILE: toml }).temporal).toMatchObject({ address: 'default.example:7233', namespace: 'dflt' });
    const config = loadConfig({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod', TEMPORAL_ADDRESS: 'other:7233', TEMPORAL_NAMESPACE: 'x', TEMPORAL_TLS_SERVER_NAME: 'sni.example' });
    expect(config.temporal).toMatchObject({ address: 'other:7233', namespace: 'x' });
    expect(config.temporal.tls?.serverName).toBe('sni.example');
  });

  it('an API key turns TLS on', () => {
    const config = loadConfig({ ...base, TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' });
    const options = connectionOptions(config, 'ns.acct.tmprl.cloud:7233');
    expect(options.tls).toBe(true);
    expect(options.apiKey).toBe('k');
  });

  it('refuses a certificate without its key, or a key without its certificate (never plaintext instead)', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: crt })).toThrow(/client certificate is configured without its key/);
    expect(() => loadConfig({ ...base, TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY' })).toThrow(/client key is configured without its certificate/);
    expect(() => loadConfig({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'halfmtls' })).toThrow(ConfigError);
  });

  it('names the file and profile when the configuration is wrong', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' })).toThrow(/temporal\.toml, profile nope\): Profile 'nope' not found/);
    const bad = file('bad.toml', '[profile.default\naddress=');
    expect(() => loadConfig({ ...base, TEMPORAL_CONFIG_FILE: bad })).toThrow(/Temporal client configuration \(.*bad\.toml\)/);
  });

  it('names an unreadable TLS file', () => {
    const config = loadConfig({ ...base, TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(tmp, 'missing-ca.pem') });
    expect(() => connectionOptions(config, 'x:7233')).toThrow(/Temporal TLS settings for x:7233: .*missing-ca\.pem/);
  });
});

describe('Temporal error messages', () => {
  it('finds a missing search attribute in the cause chain and gives the command that creates it', () => {
    const cause = Object.assign(new Error('3 INVALID_ARGUMENT: no mapping defined for search attribute AivenAppNamespace for namespace "bare"'), { code: 3 });
    const err = new Error('Failed to signalWithStart Workflow', { cause });
    expect(missingSearchAttribute(err)).toBe('AivenAppNamespace');
    const text = describeTemporalError(err, { address: 'temporal:7233', namespace: 'bare' });
    expect(text).toContain('Failed to signalWithStart Workflow: 3 INVALID_ARGUMENT: no mapping defined for search attribute AivenAppNamespace');
    expect(text).toContain('temporal operator search-attribute create --address temporal:7233 --namespace bare --name AivenAppNamespace --type Keyword --name AivenAppName --type Keyword');
  });

  it('signal health: unhealthy with the reason after a failure, healthy again after a success', () => {
    const health = new SignalHealth();
    expect(health.report()).toEqual({ ok: true });
    health.failed('boom');
    expect(health.report()).toEqual({ ok: false, detail: expect.stringMatching(/cannot signal Temporal since .*: boom/) });
    health.ok();
    expect(health.isHealthy()).toBe(true);
  });
});

describe('Aiven health', () => {
  it('is down on network errors and 5xx, up on any other answer, and exported as aivenator_aiven_up', async () => {
    const { Registry } = await import('prom-client');
    const registry = new Registry();
    const health = new AivenHealth(registry);
    health.markDown('GET /v1/project: connect ECONNREFUSED');
    expect(await registry.getSingleMetricAsString('aivenator_aiven_up')).toMatch(/aivenator_aiven_up 0/);
    health.observe(404);
    expect(health.report()).toEqual({ ok: true, detail: 'answering' });
    expect(await registry.getSingleMetricAsString('aivenator_aiven_up')).toMatch(/aivenator_aiven_up 1/);
    health.observe(503);
    expect(health.isUp()).toBe(false);
    health.observe('network');
    expect(health.report().detail).toContain('network');
  });
});

describe('/readyz', () => {
  it('reports advisory checks (Aiven) with their detail without making the process unready', async () => {
    const { Registry } = await import('prom-client');
    const { startOpsServer } = await import('../../../src/metrics/server');
    const ops = await startOpsServer({ address: '127.0.0.1:0', registry: new Registry() });
    try {
      const get = async () => {
        const res = await fetch(`${ops.url}/readyz`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      ops.setReadiness('aiven', () => ({ ok: false, detail: 'GET /v1/project: ECONNREFUSED' }), { advisory: true });
      // Advisory checks alone do not make a process ready.
      expect((await get()).status).toBe(503);
      let signalling: { ok: boolean; detail?: string } = { ok: true };
      ops.setReadiness('worker', () => true);
      ops.setReadiness('controller', () => signalling);
      expect(await get()).toEqual({ status: 200, body: { ready: true, checks: { aiven: false, worker: true, controller: true }, detail: { aiven: 'GET /v1/project: ECONNREFUSED' } } });
      signalling = { ok: false, detail: 'cannot signal Temporal' };
      const down = await get();
      expect(down.status).toBe(503);
      expect(down.body.detail).toEqual({ aiven: 'GET /v1/project: ECONNREFUSED', controller: 'cannot signal Temporal' });
    } finally {
      await ops.close();
    }
  });
});

describe('Temporal SDK log filter', () => {
  it('quiets "No workflows registered" for the Aiven queue only', () => {
    const msg = 'No workflows registered, not polling for workflow tasks';
    expect(isExpectedNoWorkflows(msg, { taskQueue: 'aivenator-aiven', sdkComponent: 'worker' })).toBe(true);
    expect(isExpectedNoWorkflows(msg, { taskQueue: 'aivenator' })).toBe(false);
    expect(isExpectedNoWorkflows('something else', { taskQueue: 'aivenator-aiven' })).toBe(false);
  });
});
