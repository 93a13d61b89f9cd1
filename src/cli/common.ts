// What every CLI command shares: exit codes, errors, output, and connections
// to Temporal and Kubernetes from flags and the usual environment variables.
import * as k8s from '@kubernetes/client-node';
import type { Client, Connection } from '@temporalio/client';
import { Config, ConfigError, loadConfig } from '../config';
import { TemporalConnectionError, causeChain, connectClient } from '../runtime/temporal';
import { flagsToEnv, temporalFlags } from './flags';

export { CliError, ExitCode, errorMessage, processIo } from './basics';
export type { Io } from './basics';
import { CliError, ExitCode } from './basics';

export type OutputFormat = 'table' | 'json';

export function outputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'table' || value === 'text' || value === 'wide') return 'table';
  if (value === 'json') return 'json';
  throw new CliError(`--output must be table or json, not "${value}"`, ExitCode.Config);
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Options every command that talks to Temporal or Kubernetes accepts. */
export interface ConnectionFlags {
  /** -n: the Kubernetes namespace, as with kubectl. */
  namespace?: string;
  temporalAddress?: string;
  /** Old spelling of --temporal-address. */
  address?: string;
  temporalNamespace?: string;
  temporalProfile?: string;
  temporalConfigFile?: string;
  kubeconfig?: string;
  context?: string;
}

/** Configuration for the tools: the environment without a required Aiven token, overridden by flags. */
export function toolConfig(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const overrides = flagsToEnv({ ...flags, temporalAddress: flags.temporalAddress ?? flags.address }, temporalFlags());
  try {
    return loadConfig({ ...env, ...overrides }, { requireToken: false });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, ExitCode.Config);
    throw err;
  }
}

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

export async function temporalClient(config: Config): Promise<{ client: Client; connection: Connection; address: string }> {
  const address = config.temporal.address ?? DEFAULT_TEMPORAL_ADDRESS;
  try {
    const { client, connection } = await connectClient(config, address);
    return { client, connection, address };
  } catch (err) {
    const why = err instanceof TemporalConnectionError ? err.message : `cannot connect to Temporal at ${address} (namespace ${config.temporal.namespace}): ${causeChain(err)}`;
    throw new CliError(`${why}; set --temporal-address / TEMPORAL_ADDRESS or a Temporal profile`, ExitCode.Runtime);
  }
}

/** KUBECONFIG, ~/.kube/config or the in-cluster service account, as kubectl finds them; --kubeconfig wins. */
export function kubeConfig(flags: Pick<ConnectionFlags, 'kubeconfig' | 'context'> = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromDefault();
    if (flags.context) kc.setCurrentContext(flags.context);
  } catch (err) {
    throw new CliError(`cannot load a kubeconfig: ${err instanceof Error ? err.message : String(err)}`, ExitCode.Config);
  }
  if (!kc.getCurrentCluster()) throw new CliError('no Kubernetes cluster configured: set KUBECONFIG or --kubeconfig', ExitCode.Config);
  return kc;
}

/**
 * One application: `<namespace>/<app>`, or `<app>` with `-n <namespace>` as
 * kubectl takes it (`aivenator history -n orders checkout`).
 */
export function appTarget(target: string, namespace?: string): { namespace: string; name: string } {
  if (target.includes('/')) {
    const ref = parseAppRef(target);
    if (namespace && namespace !== ref.namespace) throw new CliError(`-n ${namespace} contradicts ${target}`, ExitCode.Config);
    return ref;
  }
  if (!namespace) throw new CliError(`expected <namespace>/<application> or -n <namespace> ${target}`, ExitCode.Config);
  return parseAppRef(`${namespace}/${target}`);
}

/** `<namespace>/<name>`, as the workflow ids and `kubectl -n ns get aivenapp name` name an application. */
export function parseAppRef(text: string): { namespace: string; name: string } {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(text);
  if (!m) throw new CliError(`expected <namespace>/<application>, not "${text}"`, ExitCode.Config);
  return { namespace: m[1], name: m[3] };
}

/** "3s", "5m", "2h", "4d" since `iso`, as kubectl shows ages. */
export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '-';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
