// Configuration from the environment: AIVENATOR_* named like the reference's
// flags, plus Temporal's standard TEMPORAL_* variables.

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
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tlsCertPath?: string;
    tlsKeyPath?: string;
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
      address: env.TEMPORAL_ADDRESS || undefined,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: get('TASK_QUEUE', 'aivenator')!,
      apiKey: env.TEMPORAL_API_KEY || undefined,
      tlsCertPath: env.TEMPORAL_TLS_CLIENT_CERT_PATH || undefined,
      tlsKeyPath: env.TEMPORAL_TLS_CLIENT_KEY_PATH || undefined,
    },
    worker: {
      maxConcurrentActivities: parseCount('AIVENATOR_MAX_CONCURRENT_ACTIVITIES', get('MAX_CONCURRENT_ACTIVITIES', '10')!),
      maxConcurrentWorkflowTasks: parseCount('AIVENATOR_MAX_CONCURRENT_WORKFLOW_TASKS', get('MAX_CONCURRENT_WORKFLOW_TASKS', '10')!),
      maxCachedWorkflows: parseCount('AIVENATOR_MAX_CACHED_WORKFLOWS', get('MAX_CACHED_WORKFLOWS', '200')!),
    },
  };
}

/**
 * The token travels with every Aiven call: https only. Plain http only to a
 * loopback address (the sandbox's and the tests' fake Aiven) or with the
 * explicit escape hatch AIVENATOR_ALLOW_INSECURE_AIVEN_URL=true.
 */
function checkAivenUrl(url: string, allowInsecure: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`AIVENATOR_AIVEN_URL must be a URL, not "${url}"`);
  }
  if (parsed.protocol === 'https:') return;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname) || /^127\.\d+\.\d+\.\d+$/.test(parsed.hostname);
  if (parsed.protocol === 'http:' && (allowInsecure || loopback)) return;
  throw new ConfigError(`AIVENATOR_AIVEN_URL must be https:// (got ${parsed.protocol}//${parsed.host}); set AIVENATOR_ALLOW_INSECURE_AIVEN_URL=true only for a local test Aiven`);
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
