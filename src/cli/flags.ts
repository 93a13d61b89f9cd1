// The long-running commands' flags: the Go aivenator's (--aiven-token,
// --projects, --log-format, ...; pflag style, `--flag value` or
// `--flag=value`) and Aivenator's own. Each flag is an environment variable
// too; a flag given on the command line wins over the variable, as with the
// Go binary's viper binding. The flags become environment overrides, so
// loadConfig stays the one place that reads and checks configuration.
import { Command, Option } from 'commander';

export interface RuntimeFlag {
  /** The long flag without dashes. */
  flag: string;
  /** The variable it sets (and that sets it when the flag is absent). */
  env: string;
  value: string;
  help: string;
  /** Accepted more than once (pflag StringSlice); the values are joined. */
  repeatable?: boolean;
  /** A flag of the Go aivenator. */
  go?: boolean;
}

export const RUNTIME_FLAGS: RuntimeFlag[] = [
  { flag: 'aiven-token', env: 'AIVENATOR_AIVEN_TOKEN', value: 'token', help: 'Aiven API token (prefer the variable: flags show in `ps`)', go: true },
  { flag: 'projects', env: 'AIVENATOR_PROJECTS', value: 'pools', help: 'allowed Kafka pools (Aiven projects), comma- or space-separated, repeatable (default dev-nais-dev)', repeatable: true, go: true },
  { flag: 'main-project', env: 'AIVENATOR_MAIN_PROJECT', value: 'project', help: 'project for OpenSearch, Valkey and AIVEN_CA (default dev-nais-dev)', go: true },
  { flag: 'log-format', env: 'AIVENATOR_LOG_FORMAT', value: 'json|text', help: 'log format (default json; the Go binary defaults to text)', go: true },
  { flag: 'log-level', env: 'AIVENATOR_LOG_LEVEL', value: 'level', help: 'trace, debug, info, warn, error (default info)', go: true },
  { flag: 'metrics-address', env: 'AIVENATOR_METRICS_ADDRESS', value: 'host:port', help: '/metrics, /healthz and /readyz (default 127.0.0.1:8080)', go: true },
  { flag: 'sync-period', env: 'AIVENATOR_SYNC_PERIOD', value: 'duration', help: 'accepted and checked for compatibility (in Go: the informer resync); actors re-check on changes, retries and drift checks instead (default 1h)', go: true },
  { flag: 'kubernetes-write-retry-interval', env: 'AIVENATOR_KUBERNETES_WRITE_RETRY_INTERVAL', value: 'duration', help: 'accepted for compatibility and checked; unused (Temporal retries Kubernetes writes), as in the Go binary', go: true },
  { flag: 'aiven-url', env: 'AIVENATOR_AIVEN_URL', value: 'url', help: 'Aiven API (default https://api.aiven.io; https only unless AIVENATOR_ALLOW_INSECURE_AIVEN_URL=true)' },
  { flag: 'drift-interval', env: 'AIVENATOR_DRIFT_INTERVAL', value: 'duration', help: 'how often each actor checks its credentials for drift; 0 disables (default 1h)' },
  { flag: 'aiven-rate-limit', env: 'AIVENATOR_AIVEN_RATE_LIMIT', value: 'calls/s', help: 'Aiven calls per second for the whole fleet (default unlimited)' },
  { flag: 'task-queue', env: 'AIVENATOR_TASK_QUEUE', value: 'name', help: 'Temporal task queue (default aivenator)' },
  { flag: 'watch-namespace', env: 'AIVENATOR_WATCH_NAMESPACE', value: 'namespace', help: 'watch one Kubernetes namespace only (default all)' },
  { flag: 'max-concurrent-activities', env: 'AIVENATOR_MAX_CONCURRENT_ACTIVITIES', value: 'n', help: 'activity slots per task queue (default 10)' },
  { flag: 'max-concurrent-workflow-tasks', env: 'AIVENATOR_MAX_CONCURRENT_WORKFLOW_TASKS', value: 'n', help: 'workflow task slots (default 10)' },
  { flag: 'max-cached-workflows', env: 'AIVENATOR_MAX_CACHED_WORKFLOWS', value: 'n', help: 'actors kept in memory (default 200)' },
  { flag: 'workflow-bundle', env: 'AIVENATOR_WORKFLOW_BUNDLE', value: 'file', help: 'a bundle from `aivenator bundle` (the image has one)' },
  { flag: 'temporal-metrics-address', env: 'AIVENATOR_TEMPORAL_METRICS_ADDRESS', value: 'host:port|off', help: 'where the Temporal SDK serves its metrics (default a loopback port, appended to /metrics)' },
  ...temporalFlags(),
];

/** Temporal's connection flags, shared with the tools (status, history, retry, ...). */
export function temporalFlags(): RuntimeFlag[] {
  return [
    { flag: 'temporal-address', env: 'TEMPORAL_ADDRESS', value: 'host:port', help: 'Temporal frontend (default: the profile\'s; `run` starts an embedded dev server when none)' },
    { flag: 'temporal-namespace', env: 'TEMPORAL_NAMESPACE', value: 'namespace', help: 'Temporal namespace (default: the profile\'s, else default)' },
    { flag: 'temporal-profile', env: 'TEMPORAL_PROFILE', value: 'name', help: 'profile in the Temporal client config file (default "default")' },
    { flag: 'temporal-config-file', env: 'TEMPORAL_CONFIG_FILE', value: 'file', help: 'Temporal client config TOML (default ~/.config/temporalio/temporal.toml)' },
  ];
}

/** Variables without a flag that the long-running commands read. */
export const OTHER_VARIABLES: [string, string][] = [
  ['TEMPORAL_API_KEY', 'API key (Temporal Cloud); turns TLS on'],
  ['TEMPORAL_TLS', 'true/false: TLS on or off'],
  ['TEMPORAL_TLS_CLIENT_CERT_PATH, _DATA', 'mTLS client certificate (needs the key too)'],
  ['TEMPORAL_TLS_CLIENT_KEY_PATH, _DATA', 'mTLS client key (needs the certificate too)'],
  ['TEMPORAL_TLS_SERVER_CA_CERT_PATH, _DATA', 'CA that signs the server\'s certificate'],
  ['TEMPORAL_TLS_SERVER_NAME', 'server name to verify (SNI override)'],
  ['TEMPORAL_GRPC_META_<NAME>', 'a gRPC header on every call'],
  ['AIVENATOR_ALLOW_INSECURE_AIVEN_URL', 'true: allow an http:// Aiven URL (the sandbox and tests only)'],
  ['AIVENATOR_AIVEN_RECHECK_MS', 'after an Aiven outage at start: how often the token is checked again (default 30000)'],
  ['KUBECONFIG', 'kubeconfig file (default ~/.kube/config, else in-cluster)'],
];

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Commander's camelCase key for a flag. */
export function optionKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function addFlags(cmd: Command, flags: RuntimeFlag[]): Command {
  for (const f of flags) {
    const option = new Option(`--${f.flag} <${f.value}>`, `${f.help} [${f.env}]`);
    cmd.addOption(f.repeatable ? option.argParser(collect) : option);
  }
  return cmd;
}

/** The flags given, as the environment variables they stand for. */
export function flagsToEnv(values: Record<string, unknown>, flags: RuntimeFlag[] = RUNTIME_FLAGS): Record<string, string> {
  const env: Record<string, string> = {};
  for (const f of flags) {
    const value = values[optionKey(f.flag)];
    if (value === undefined) continue;
    env[f.env] = Array.isArray(value) ? value.join(' ') : String(value);
  }
  return env;
}

/** The "Environment:" section of `run`, `worker` and `controller --help`. */
export function environmentHelp(mode: 'all' | 'controller' | 'worker'): string {
  const relevant = RUNTIME_FLAGS.filter((f) => mode !== 'controller' || !['aiven-token', 'aiven-url', 'aiven-rate-limit', 'max-concurrent-activities', 'max-concurrent-workflow-tasks', 'max-cached-workflows', 'workflow-bundle'].includes(f.flag));
  const rows: [string, string][] = [
    ...relevant.map((f): [string, string] => [f.env, `--${f.flag}${f.go ? ' (Go aivenator flag)' : ''}`]),
    ...OTHER_VARIABLES,
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    '',
    'Environment (a flag wins over its variable):',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    'Temporal settings also come from a client config profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE), as for the `temporal` CLI.',
  ].join('\n');
}
