// Configuration from the environment: AIVENATOR_* named like the reference's
// flags (the CLI turns its flags into these, so flags win), plus Temporal's
// client configuration: a TOML profile and the TEMPORAL_* variables, read by
// @temporalio/envconfig as every Temporal SDK and the `temporal` CLI read them.
import { ClientConfigProfile, ClientConfigTLS, loadClientConfigProfile } from '@temporalio/envconfig';

export interface Config {
  aivenToken: string;
  aivenUrl: string;
  /** AIVENATOR_SIGNING_KEY: key material for the Secrets' provenance signature; derived from the Aiven token when unset (src/provenance/signature.ts). */
  signingKey?: string;
  /** Allowed Kafka pools (Aiven projects). */
  projects: string[];
  /** Project for OpenSearch, Valkey and AIVEN_CA. */
  mainProject: string;
  metricsAddress: string;
  logFormat: 'json' | 'text';
  logLevel: string;
  syncPeriodMs: number;
  /** How often each actor checks its credentials for drift and renewed certificates; 0 disables. */
  driftIntervalMs: number;
  /** A user replaced in a Secret is deleted at the latest this long after the rewrite, even if old pods still run; 0 = never forced (default). */
  replacedUserMaxAgeMs: number;
  /** Aiven calls per second for the whole fleet, all workers together; undefined = unlimited. */
  aivenRateLimit?: number;
  temporal: {
    /** From TEMPORAL_ADDRESS or the profile; undefined = the CLI starts an embedded dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    /** Server CA, server name, client certificate and key; undefined = plaintext unless an API key is set. */
    tls?: ClientConfigTLS;
    /** gRPC headers (TEMPORAL_GRPC_META_*). */
    grpcMeta?: Record<string, string>;
    /** The TOML profile used (TEMPORAL_PROFILE), for messages. */
    profile?: string;
  };
  worker: {
    maxConcurrentActivities: number;
    maxConcurrentWorkflowTasks: number;
    /** Actors kept in memory; an evicted idle actor is replayed from history on its next event. */
    maxCachedWorkflows: number;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, { requireToken = true } = {}): Config {
  const get = (name: string, fallback?: string) => {
    const value = env[`AIVENATOR_${name}`];
    return value === undefined || value === '' ? fallback : value;
  };
  const aivenToken = get('AIVEN_TOKEN', '')!;
  if (requireToken && !aivenToken) throw new ConfigError('AIVENATOR_AIVEN_TOKEN is required');
  const logFormat = get('LOG_FORMAT', 'json')!;
  if (logFormat !== 'json' && logFormat !== 'text') throw new ConfigError(`AIVENATOR_LOG_FORMAT must be json or text, not "${logFormat}"`);
  const projects = get('PROJECTS', 'dev-nais-dev')!.split(/[\s,]+/).filter(Boolean);
  const aivenUrl = get('AIVEN_URL', env.AIVEN_WEB_URL ?? 'https://api.aiven.io')!.replace(/\/+$/, '');
  checkAivenUrl(aivenUrl, get('ALLOW_INSECURE_AIVEN_URL') === 'true');
  const temporal = temporalProfile(env);
  parseDuration('AIVENATOR_KUBERNETES_WRITE_RETRY_INTERVAL', get('KUBERNETES_WRITE_RETRY_INTERVAL', '10s')!);
  return {
    aivenToken,
    aivenUrl,
    signingKey: get('SIGNING_KEY'),
    projects,
    mainProject: get('MAIN_PROJECT', 'dev-nais-dev')!,
    metricsAddress: get('METRICS_ADDRESS', '127.0.0.1:8080')!,
    logFormat,
    logLevel: get('LOG_LEVEL', 'info')!,
    syncPeriodMs: parseDuration('AIVENATOR_SYNC_PERIOD', get('SYNC_PERIOD', '1h')!),
    driftIntervalMs: parseDuration('AIVENATOR_DRIFT_INTERVAL', get('DRIFT_INTERVAL', '1h')!),
    replacedUserMaxAgeMs: parseDuration('AIVENATOR_REPLACED_USER_MAX_AGE', get('REPLACED_USER_MAX_AGE', '0')!),
    aivenRateLimit: parseRate('AIVENATOR_AIVEN_RATE_LIMIT', get('AIVEN_RATE_LIMIT')),
    temporal: {
      address: temporal.address || undefined,
      namespace: temporal.namespace || 'default',
      taskQueue: get('TASK_QUEUE', 'aivenator')!,
      apiKey: temporal.apiKey || undefined,
      tls: temporal.tls,
      grpcMeta: temporal.grpcMeta,
      profile: env.TEMPORAL_PROFILE || undefined,
    },
    worker: {
      maxConcurrentActivities: parseCount('AIVENATOR_MAX_CONCURRENT_ACTIVITIES', get('MAX_CONCURRENT_ACTIVITIES', '10')!),
      maxConcurrentWorkflowTasks: parseCount('AIVENATOR_MAX_CONCURRENT_WORKFLOW_TASKS', get('MAX_CONCURRENT_WORKFLOW_TASKS', '10')!),
      maxCachedWorkflows: parseCount('AIVENATOR_MAX_CACHED_WORKFLOWS', get('MAX_CACHED_WORKFLOWS', '200')!),
    },
  };
}

/**
 * Credentials and tokens travel to Aiven: plain http only where the operator
 * says so explicitly (the sandbox and the tests, which talk to the fake Aiven).
 */
function checkAivenUrl(url: string, allowInsecure: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`AIVENATOR_AIVEN_URL must be a URL like https://api.aiven.io, not "${url}"`);
  }
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && allowInsecure) return;
  throw new ConfigError(
    `AIVENATOR_AIVEN_URL must use https:// (it carries the Aiven admin token), not "${url}"` +
      (parsed.protocol === 'http:' ? '; set AIVENATOR_ALLOW_INSECURE_AIVEN_URL=true only for a local fake Aiven' : ''),
  );
}

/**
 * The Temporal client profile: the TOML file (TEMPORAL_CONFIG_FILE, else
 * ~/.config/temporalio/temporal.toml; profile TEMPORAL_PROFILE, else
 * "default") overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*. A client certificate without its key (or
 * the reverse) is refused: the SDK would silently connect without it.
 */
export function temporalProfile(env: Env): ClientConfigProfile {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && (e[1] !== '' || !e[0].startsWith('TEMPORAL_'))));
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (err) {
    const file = vars.TEMPORAL_CONFIG_FILE ?? '~/.config/temporalio/temporal.toml';
    throw new ConfigError(`Temporal client configuration (${file}${vars.TEMPORAL_PROFILE ? `, profile ${vars.TEMPORAL_PROFILE}` : ''}): ${err instanceof Error ? err.message : String(err)}`);
  }
  const tls = profile.tls;
  if (tls && !tls.disabled && Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    const [has, lacks] = tls.clientCert ? ['client certificate', 'key'] : ['client key', 'certificate'];
    throw new ConfigError(
      `Temporal TLS: a ${has} is configured without its ${lacks} (TEMPORAL_TLS_CLIENT_CERT_PATH/_DATA and TEMPORAL_TLS_CLIENT_KEY_PATH/_DATA, ` +
        `or client_cert_*/client_key_* in the profile): set both for mTLS, or neither`,
    );
  }
  return profile;
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations as the reference's flags take them: 1h, 15m, 90s, 1h30m, 0. */
export function parseDuration(name: string, text: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new ConfigError(`${name} must be a duration like 1h, 15m or 30s, not "${text}"`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

function parseRate(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '0') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number of calls per second, not "${text}"`);
  return n;
}

function parseCount(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} must be a positive whole number, not "${text}"`);
  return n;
}
