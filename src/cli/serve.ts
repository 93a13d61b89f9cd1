// The long-running side of the CLI (`run`, `controller`, `worker`, and the
// sandbox): metrics and probes first, then the worker and/or the controller,
// and an orderly stop (controller first, so no new work is started, then the
// worker, which finishes what it holds within its grace time).
import * as k8s from '@kubernetes/client-node';
import { Runtime } from '@temporalio/worker';
import { AivenClient } from '../aiven/client';
import type { Config } from '../config';
import type { Logger } from '../log';
import { AivenatorMetrics } from '../metrics/prometheus';
import { OpsServer, startOpsServer } from '../metrics/server';
import { InstalledTemporalRuntime, installTemporalRuntime } from '../metrics/temporal-runtime';
import { AivenHealth, checkAivenToken, watchAivenUntilVerified } from '../runtime/aiven-health';
import { RunningService, ServiceContext, startController, startWorker } from '../runtime/services';
import { CliError, ExitCode, errorMessage } from './common';

export type ServeMode = 'all' | 'controller' | 'worker';

export interface ServeOptions {
  mode: ServeMode;
  config: Config;
  kc: k8s.KubeConfig;
  log: Logger;
  temporalAddress: string;
  /** Watch one namespace only (all when absent). */
  watchNamespace?: string;
  /** Where Core serves the Temporal SDK metrics; see installTemporalRuntime. */
  temporalMetricsAddress?: string;
  workflowBundlePath?: string;
  /** Check the Aiven token before starting the worker (default true). */
  verifyToken?: boolean;
}

export interface Serving {
  ops: OpsServer;
  metrics: AivenatorMetrics;
  aivenHealth: AivenHealth;
  services: RunningService[];
  /** Resolves with an exit code when a service stops by itself (a crash). */
  crashed: Promise<number>;
  stop(): Promise<void>;
}

let runtime: InstalledTemporalRuntime | undefined;

/** The Temporal runtime is process-wide: installed once, before any connection. */
export async function ensureTemporalRuntime(log: Logger, metricsAddress?: string): Promise<InstalledTemporalRuntime> {
  if (!runtime) {
    try {
      runtime = await installTemporalRuntime({ log, metricsAddress });
    } catch (err) {
      // Already installed (e.g. by a test harness): keep the installed one, without SDK metrics here.
      if (!/already/i.test(errorMessage(err))) throw err;
      Runtime.instance();
      runtime = {};
    }
  }
  return runtime;
}

/**
 * The start-up token check. A token Aiven rejects (401/403) is fatal (exit 4):
 * nothing retries it right. Aiven unreachable or answering 5xx is not: the
 * worker starts anyway, says so in /readyz and aivenator_aiven_up, and checks
 * again in the background.
 */
export async function verifyAivenToken(
  config: Config,
  log: Logger,
  health: AivenHealth,
  onResponse?: AivenatorMetrics['onAivenResponse'],
): Promise<'verified' | 'unreachable'> {
  const verdict = await checkAivenToken(config, onResponse);
  if (verdict.kind === 'rejected') {
    health.markDown(`token rejected: ${verdict.message}`);
    throw tokenRejected(verdict.message);
  }
  if (verdict.kind === 'unreachable') {
    health.markDown(verdict.message);
    log.error({ err: verdict.message, aiven_url: config.aivenUrl }, 'cannot verify the Aiven token: Aiven is unreachable. Starting anyway; Aiven activities retry until it answers');
    return 'unreachable';
  }
  health.markUp('token verified');
  const missing = [config.mainProject, ...config.projects].filter((p) => !verdict.projects.includes(p));
  if (missing.length > 0) log.warn({ missing: [...new Set(missing)], visible: verdict.projects }, 'the Aiven token does not see every configured project');
  log.info({ projects: verdict.projects.length }, 'Aiven token verified');
  return 'verified';
}

function tokenRejected(message: string): CliError {
  return new CliError(`Aiven refused the token (${message}). Check AIVENATOR_AIVEN_TOKEN and AIVENATOR_AIVEN_URL.`, ExitCode.Credentials);
}

export async function serve(opts: ServeOptions): Promise<Serving> {
  const { config, log } = opts;
  const rt = await ensureTemporalRuntime(log, opts.temporalMetricsAddress);
  const userLister = new AivenClient({ baseUrl: config.aivenUrl, token: config.aivenToken });
  const metrics = new AivenatorMetrics({
    listServiceUsers: async (project, service) => ((await userLister.getService(project, service)).users ?? []).map((u) => u.username),
  });
  const aivenHealth = new AivenHealth(metrics.registry);
  const onAivenResponse: AivenatorMetrics['onAivenResponse'] = (op, status, ms, project) => {
    metrics.onAivenResponse(op, status, ms, project);
    aivenHealth.observe(status);
  };
  const ops = await startOpsServer({ address: config.metricsAddress, registry: metrics.registry, extraMetrics: rt.fetchMetrics });
  log.info({ address: ops.address, temporal_sdk_metrics: rt.metricsUrl ?? 'off' }, 'serving /metrics, /healthz and /readyz');

  const services: RunningService[] = [];
  const stop = async () => {
    ops.markShuttingDown();
    // Controller first: no new signals while the worker drains.
    for (const s of [...services].sort((a, b) => (a.name === 'controller' ? -1 : b.name === 'controller' ? 1 : 0))) {
      await s.stop().catch((err: unknown) => log.warn({ service: s.name, err: errorMessage(err) }, 'stopping failed'));
    }
    metrics.stop();
    await ops.close();
  };

  try {
    const kc = metrics.instrumentKubeConfig(opts.kc);
    const ctx: ServiceContext = {
      config,
      kc,
      log,
      temporalAddress: opts.temporalAddress,
      metrics,
      onAivenResponse,
      workflowBundlePath: opts.workflowBundlePath,
    };
    if (opts.mode !== 'controller') {
      const verified = opts.verifyToken === false ? 'verified' : await verifyAivenToken(config, log, aivenHealth, onAivenResponse);
      let worker;
      try {
        worker = await startWorker(ctx, { namespace: opts.watchNamespace });
      } catch (err) {
        throw new CliError(`the worker could not start: ${errorMessage(err)}`, ExitCode.Runtime);
      }
      services.push(worker);
      ops.setReadiness('worker', () => worker.worker.getState() === 'RUNNING');
      ops.setReadiness('aiven', () => aivenHealth.report(), { advisory: true });
      if (verified === 'unreachable') services.push(aivenWatchService(config, aivenHealth, log, onAivenResponse));
      metrics.start();
    }
    if (opts.mode !== 'worker') {
      let controller;
      try {
        controller = await startController(ctx, { namespace: opts.watchNamespace });
      } catch (err) {
        throw new CliError(`the controller could not start: ${errorMessage(err)}`, ExitCode.Controller);
      }
      services.push(controller);
      // Both watches (AivenApplications, managed Secrets) listed and connected, and signals reach Temporal.
      ops.setReadiness('controller', () => {
        if (!controller.controller.isSynced() || !controller.secretController.isSynced()) return { ok: false, detail: 'watches not synced yet' };
        return controller.signalHealth.report();
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const crashed = new Promise<number>((resolve) => {
    for (const s of services) {
      s.done.then(
        () => undefined,
        (err: unknown) => {
          log.error({ service: s.name, err: errorMessage(err) }, `${s.name} stopped unexpectedly`);
          resolve(err instanceof CliError ? err.exitCode : s.name === 'controller' ? ExitCode.Controller : ExitCode.Runtime);
        },
      );
    }
  });
  return { ops, metrics, aivenHealth, services, crashed, stop };
}

/** Re-checks the token in the background after an outage at start; a rejection then stops the process (exit 4). */
function aivenWatchService(config: Config, health: AivenHealth, log: Logger, onResponse: AivenatorMetrics['onAivenResponse']): RunningService {
  const watch = watchAivenUntilVerified(config, health, log, { onResponse, onRejected: tokenRejected, everyMs: Number(process.env.AIVENATOR_AIVEN_RECHECK_MS) || 30_000 });
  return { name: 'aiven-check', done: watch.done, stop: async () => watch.stop() };
}

/**
 * Runs until SIGTERM or SIGINT (then stops in order and resolves 0) or until a
 * service crashes (resolves its exit code). A second signal exits at once.
 */
export function untilSignal(log: Logger, serving: Pick<Serving, 'crashed' | 'stop'>, extraStop?: () => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const finish = async (code: number, why: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ reason: why }, 'shutting down');
      await serving.stop();
      await extraStop?.().catch(() => undefined);
      log.info('stopped');
      resolve(code);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      void finish(ExitCode.Ok, signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    void serving.crashed.then((code) => finish(code, 'a service crashed'));
  });
}
