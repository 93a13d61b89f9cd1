// `aivenator run | controller | worker`: the operator itself.
import * as fs from 'node:fs';
import { Config, ConfigError, loadConfig } from '../../config';
import { Logger, createLogger } from '../../log';
import { CliError, ExitCode, Io, kubeConfig } from '../common';
import type { startEmbeddedTemporal } from '../embedded-temporal';
import { ServeMode, serve, untilSignal } from '../serve';
import { flagsToEnv } from '../flags';
import { textDestination } from '../text-log';

/** --kubeconfig, --context and the runtime flags (see flags.ts), camelCased. */
export interface RunFlags {
  kubeconfig?: string;
  context?: string;
  [flag: string]: unknown;
}

export function makeLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, component = 'aivenator'): Logger {
  return createLogger({ level: config.logLevel, component, destination: config.logFormat === 'text' ? textDestination() : undefined });
}

export function loadRunConfig(mode: ServeMode, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    // The controller never calls Aiven: it runs without the token.
    return loadConfig(env, { requireToken: mode !== 'controller' });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, ExitCode.Config);
    throw err;
  }
}

export async function runCommand(mode: ServeMode, flags: RunFlags, io: Io, processEnv: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Flags win over their variables (as the Go binary's do).
  const env = { ...processEnv, ...flagsToEnv(flags) };
  const config = loadRunConfig(mode, env);
  const log = makeLogger(config);
  const kc = kubeConfig(flags);
  const bundle = env.AIVENATOR_WORKFLOW_BUNDLE || undefined;
  if (bundle && !fs.existsSync(bundle)) throw new CliError(`AIVENATOR_WORKFLOW_BUNDLE ${bundle} does not exist`, ExitCode.Config);

  let temporalAddress = config.temporal.address;
  let embedded: Awaited<ReturnType<typeof startEmbeddedTemporal>> | undefined;
  if (!temporalAddress) {
    io.err('TEMPORAL_ADDRESS is not set: starting an embedded Temporal dev server ...');
    // A development convenience: the dev server tooling is loaded only here.
    const { startEmbeddedTemporal: start } = await import('../embedded-temporal');
    embedded = await start({ env, namespace: config.temporal.namespace });
    temporalAddress = embedded.address;
    io.err(`Temporal dev server at ${embedded.address} (database ${embedded.dbFile})`);
    io.err(`Temporal UI: ${embedded.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
  }
  const stopEmbedded = async () => embedded?.stop();
  let serving;
  try {
    serving = await serve({
      mode,
      config,
      kc,
      log,
      temporalAddress,
      watchNamespace: env.AIVENATOR_WATCH_NAMESPACE || undefined,
      temporalMetricsAddress: env.AIVENATOR_TEMPORAL_METRICS_ADDRESS,
      workflowBundlePath: bundle,
    });
  } catch (err) {
    await stopEmbedded();
    throw err;
  }
  log.info({ mode, temporal: temporalAddress, namespace: config.temporal.namespace, task_queue: config.temporal.taskQueue }, 'aivenator running');
  return untilSignal(log, serving, stopEmbedded);
}
