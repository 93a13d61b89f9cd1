// `aivenator dev` (`npm run dev`): the sandbox. A local kube-apiserver with the
// CRDs, a Temporal dev server with its Web UI, the fake Aiven, sample
// applications, and Aivenator's worker and controller in this process. Shows
// the Secrets as they appear, then how to look around. Ctrl-C stops it all.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeAivenControl } from '../../fake-aiven';
import { loadConfig } from '../../config';
import { kubeConfigFor } from '../../devworld/kube-apiserver';
import { startWorld } from '../../devworld/world';
import { makeKubeClients } from '../../kube/clients';
import { CliError, ExitCode, Io, errorMessage } from '../common';
import { portOr } from '../embedded-temporal';
import { ProgressWatcher, converged, createSampleWorld, kubeconfigYaml, sampleApps } from '../sandbox';
import { serve, untilSignal } from '../serve';
import { textDestination } from '../text-log';
import { createLogger } from '../../log';

export interface DevFlags {
  dir?: string;
  uiPort?: string;
  metricsAddress?: string;
  exitWhenConverged?: boolean;
  timeout?: string;
  samples?: boolean;
  logLevel?: string;
}

export async function devCommand(flags: DevFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = Date.now();
  const dir = path.resolve(flags.dir ?? env.AIVENATOR_SANDBOX_DIR ?? '.sandbox');
  // A fresh world every time: the fake Aiven keeps its users in memory, so
  // Secrets kept from an earlier run would name users that no longer exist.
  fs.rmSync(path.join(dir, 'world'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'temporal.db'), { force: true });
  fs.mkdirSync(path.join(dir, 'world'), { recursive: true });

  const uiPort = await portOr(Number(flags.uiPort ?? 8233));
  io.err('Starting the sandbox: etcd + kube-apiserver, Temporal dev server with UI, fake Aiven ...');
  let world;
  try {
    world = await startWorld({ dir: path.join(dir, 'world'), temporalDbFile: path.join(dir, 'temporal.db'), temporalUiPort: uiPort, kafka: false, redis: false });
  } catch (err) {
    throw new CliError(`the sandbox could not start: ${errorMessage(err)}\n(the servers come from 'bash scripts/tools.sh')`, ExitCode.Runtime);
  }
  const info = world.info;
  io.err(`  up in ${((Date.now() - started) / 1000).toFixed(1)}s (logs in ${path.join(dir, 'world')})`);

  const kc = kubeConfigFor(info.kube.server, info.kube.adminToken);
  const kubeconfigFile = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfigFile, kubeconfigYaml(kc), { mode: 0o600 });
  const metricsAddress = flags.metricsAddress ?? env.AIVENATOR_METRICS_ADDRESS ?? `127.0.0.1:${await portOr(8080)}`;
  const sandboxEnv: Record<string, string> = {
    KUBECONFIG: kubeconfigFile,
    TEMPORAL_ADDRESS: info.temporal.address,
    TEMPORAL_NAMESPACE: info.temporal.namespace,
    AIVENATOR_AIVEN_URL: info.aiven.url,
    // The fake Aiven speaks plain http on loopback.
    AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true',
    AIVENATOR_AIVEN_TOKEN: info.aiven.token,
    AIVENATOR_PROJECTS: info.aiven.projects.join(' '),
    AIVENATOR_MAIN_PROJECT: info.aiven.mainProject,
  };
  const config = loadConfig({
    ...sandboxEnv,
    AIVENATOR_METRICS_ADDRESS: metricsAddress,
    AIVENATOR_LOG_LEVEL: flags.logLevel ?? env.AIVENATOR_LOG_LEVEL ?? 'warn',
    AIVENATOR_LOG_FORMAT: env.AIVENATOR_LOG_FORMAT ?? 'text',
  });
  // Logs go to stderr in the sandbox, so the progress lines stay readable.
  const log = createLogger({ level: config.logLevel, component: 'sandbox', destination: config.logFormat === 'text' ? textDestination(process.stderr) : undefined });

  const kube = makeKubeClients(kc);
  const apps = flags.samples === false ? [] : sampleApps(info.aiven.mainProject);
  let serving;
  try {
    await createSampleWorld(kube, new FakeAivenControl(info.aiven.url), info.aiven.mainProject, apps);
    io.err(`Created ${apps.length} sample AivenApplications; starting Aivenator (worker + controller) ...`);
    serving = await serve({ mode: 'all', config, kc: kubeConfigFor(info.kube.server, info.kube.adminToken), log, temporalAddress: info.temporal.address });
  } catch (err) {
    await world.stop();
    throw err;
  }
  const envFile = path.join(dir, 'env');
  fs.writeFileSync(envFile, `${Object.entries({ ...sandboxEnv, AIVENATOR_METRICS_URL: serving.ops.url }).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n')}\n`, { mode: 0o600 });

  const stopAll = async () => {
    await world.stop();
  };
  const watcher = new ProgressWatcher(kube, (line) => io.out(line));
  const keys = apps.map((a) => `${a.namespace}/${a.name}`);
  const timeoutMs = flags.timeout ? Number(flags.timeout) * 1000 : 180_000;
  let done = false;
  const outcome = new Promise<number>((resolve) => {
    const tick = async () => {
      if (done) return;
      try {
        const view = await watcher.poll();
        if (converged(view, keys)) {
          done = true;
          io.out(`All ${keys.length} sample applications converged in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
          io.out(howToLook(dir, kubeconfigFile, envFile, info.temporal.uiUrl, serving.ops.url, info.temporal.address, !flags.exitWhenConverged));
          if (flags.exitWhenConverged) resolve(ExitCode.Ok);
          else keepWatching();
          return;
        }
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'progress poll failed');
      }
      if (flags.exitWhenConverged && Date.now() - started > timeoutMs) {
        done = true;
        io.out(`Not converged after ${timeoutMs / 1000}s; see ${path.join(dir, 'world')} and the Temporal UI.`);
        resolve(ExitCode.Failure);
        return;
      }
      setTimeout(() => void tick(), 500);
    };
    // After convergence keep printing changes (apps you add with kubectl, Secrets you delete).
    const keepWatching = () => {
      const timer = setInterval(() => void watcher.poll().catch(() => undefined), 1000);
      timer.unref();
    };
    void tick();
  });

  if (flags.exitWhenConverged) {
    const code = await Promise.race([outcome, serving.crashed]);
    await serving.stop();
    await stopAll();
    return code;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => io.err('Stopping the sandbox ...'));
  return untilSignal(log, serving, stopAll);
}

function howToLook(dir: string, kubeconfig: string, envFile: string, uiUrl: string | undefined, metricsUrl: string, temporalAddress: string, running: boolean): string {
  const rel = shellQuote(path.relative(process.cwd(), kubeconfig) || kubeconfig);
  const envRel = shellQuote(path.relative(process.cwd(), envFile) || envFile);
  return [
    '',
    'Look around:',
    `  kubectl --kubeconfig ${rel} get aivenapp -A`,
    `  kubectl --kubeconfig ${rel} get secrets -A -l type=aivenator.aiven.nais.io`,
    `  Temporal UI:  ${uiUrl ?? '(headless)'}/namespaces/default/workflows   (search: AivenSyncState="RolloutFailed")`,
    `  Metrics:      ${metricsUrl}/metrics`,
    `  CLI:          source ${envRel} && ${cliInvocation()} status   (TEMPORAL_ADDRESS=${temporalAddress})`,
    `                then: history -n orders checkout, replay --failed, retry --failed, plan <file.yaml>`,
    ...(running ? ['', 'Edit an app and watch it here:', `  kubectl --kubeconfig ${rel} edit aivenapp -n orders checkout`, `Ctrl-C stops everything (state in ${dir}).`] : []),
  ].join('\n');
}

/** How this CLI was started, relative to the working directory (e.g. `node dist/src/cli/main.js`). */
function cliInvocation(): string {
  const script = process.argv[1];
  if (!script || !script.endsWith('.js')) return 'aivenator';
  return `node ${path.relative(process.cwd(), script) || script}`;
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
