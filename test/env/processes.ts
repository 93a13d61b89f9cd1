// Aivenator as separate processes (`node dist/src/cli/main.js worker|controller`),
// the way it runs in production: each with its own environment, a log file in
// the world directory (scanned by test/leak), a SIGKILL at any moment, and a
// supervisor that restarts a process that exited by itself (as Kubernetes
// would restart a crashed pod).
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kubeConfigFor } from '../../src/devworld/kube-apiserver';
import { freePort, killWithParent, tail } from '../../src/devworld/process';
import { world } from './world';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI_MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** Compiles the CLI to dist/ (incremental: about a second when nothing changed). */
export function buildCli(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

/** Where the process-based tests write their logs; test/leak scans every file here. */
export function artifactsDir(...sub: string[]): string {
  const dir = path.join(world().dir, 'artifacts', ...sub);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The servers a process talks to: the shared world by default, or a test's own servers. */
export interface Targets {
  temporal: { address: string; namespace: string };
  kube: { server: string; adminToken: string };
  aiven: { url: string; token: string; projects: string[]; mainProject: string };
}

export function worldTargets(): Targets {
  const w = world();
  return { temporal: w.temporal, kube: w.kube, aiven: w.aiven };
}

export type Mode = 'worker' | 'controller' | 'run';

export interface ProcessOptions {
  mode: Mode;
  /** File name of the log (`<name>.log`) and the label in messages. */
  name: string;
  taskQueue: string;
  targets?: Targets;
  watchNamespace?: string;
  /** Directory of the log and kubeconfig; default artifactsDir('processes'). */
  dir?: string;
  env?: Record<string, string>;
  /** Restart the process when it exits without being told to (default true). */
  supervise?: boolean;
  logLevel?: string;
}

export interface Exit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the test killed or stopped it, false when it exited by itself. */
  expected: boolean;
  at: number;
}

/** The environment without the test run's own Temporal, Kubernetes and Aivenator settings. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(TEMPORAL_|AIVENATOR_|KUBECONFIG$)/.test(k) || k === 'AIVENATOR_TOOLS_DIR') env[k] = v;
  return env;
}

export class AivenatorProcess {
  readonly logFile: string;
  readonly exits: Exit[] = [];
  private child?: ChildProcess;
  private exited?: Promise<Exit>;
  private stopping = false;
  private starts = 0;
  private metricsUrl = '';
  private restartTimer?: NodeJS.Timeout;
  private readonly kubeconfig: string;

  constructor(private readonly opts: ProcessOptions) {
    const dir = opts.dir ?? artifactsDir('processes');
    fs.mkdirSync(dir, { recursive: true });
    this.logFile = path.join(dir, `${opts.name}.log`);
    const targets = opts.targets ?? worldTargets();
    this.kubeconfig = path.join(dir, `${opts.name}.kubeconfig`);
    fs.writeFileSync(this.kubeconfig, kubeConfigFor(targets.kube.server, targets.kube.adminToken).exportConfig(), { mode: 0o600 });
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Exits the test did not cause (crashes); the supervisor restarted each. */
  get crashes(): Exit[] {
    return this.exits.filter((e) => !e.expected);
  }

  get startCount(): number {
    return this.starts;
  }

  async start(): Promise<void> {
    this.stopping = false;
    const targets = this.opts.targets ?? worldTargets();
    const port = await freePort();
    this.metricsUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      TEMPORAL_ADDRESS: targets.temporal.address,
      TEMPORAL_NAMESPACE: targets.temporal.namespace,
      KUBECONFIG: this.kubeconfig,
      AIVENATOR_TASK_QUEUE: this.opts.taskQueue,
      AIVENATOR_METRICS_ADDRESS: `127.0.0.1:${port}`,
      AIVENATOR_TEMPORAL_METRICS_ADDRESS: 'off',
      AIVENATOR_WORKFLOW_BUNDLE: world().workflowBundlePath,
      AIVENATOR_LOG_LEVEL: this.opts.logLevel ?? 'debug',
      AIVENATOR_LOG_FORMAT: 'json',
      ...(this.opts.mode !== 'controller'
        ? {
            AIVENATOR_AIVEN_TOKEN: targets.aiven.token,
            AIVENATOR_AIVEN_URL: targets.aiven.url,
            AIVENATOR_ALLOW_INSECURE_AIVEN_URL: 'true',
            AIVENATOR_PROJECTS: targets.aiven.projects.join(','),
            AIVENATOR_MAIN_PROJECT: targets.aiven.mainProject,
          }
        : {}),
      ...(this.opts.watchNamespace ? { AIVENATOR_WATCH_NAMESPACE: this.opts.watchNamespace } : {}),
      ...this.opts.env,
    };
    this.starts++;
    fs.appendFileSync(this.logFile, `--- ${new Date().toISOString()} start #${this.starts}: aivenator ${this.opts.mode} (${this.opts.name})\n`);
    const log = fs.openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [CLI_MAIN, this.opts.mode], { cwd: ROOT, env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.child = child;
    killWithParent(child);
    const pid = child.pid!;
    this.exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        const exit: Exit = { pid, code, signal, expected: this.stopping || signal === 'SIGKILL', at: Date.now() };
        this.exits.push(exit);
        fs.appendFileSync(this.logFile, `--- ${new Date().toISOString()} pid ${pid} exited (code ${code}, signal ${signal})\n`);
        resolve(exit);
        if (!exit.expected && this.opts.supervise !== false) {
          // As a Deployment would: start it again after a short back-off.
          this.restartTimer = setTimeout(() => void this.start().catch(() => undefined), 1000);
        }
      });
    });
  }

  /** Waits until /readyz answers 200 (worker running, or the controller's watches synced). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.pid === undefined && this.opts.supervise === false) throw new Error(`${this.opts.name} exited:\n${this.tail(30)}`);
      try {
        const res = await fetch(`${this.metricsUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.opts.name} not ready after ${timeoutMs} ms:\n${this.tail(30)}`);
  }

  /** SIGKILL: no shutdown, no goodbye to Temporal; what a node failure or OOM kill does. */
  async kill(): Promise<Exit | undefined> {
    const child = this.child;
    if (!child || this.pid === undefined) return undefined;
    child.kill('SIGKILL');
    return this.exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    clearTimeout(this.restartTimer);
    await this.start();
  }

  /** SIGTERM (an orderly stop), SIGKILL after `graceMs`. */
  async stop(graceMs = 25_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || this.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.metricsUrl}/metrics`)).text();
  }

  tail(lines: number): string {
    return tail(this.logFile, lines);
  }

  /** Log lines at level warn or above (JSON logs), for the report. */
  warnings(): string[] {
    if (!fs.existsSync(this.logFile)) return [];
    return fs.readFileSync(this.logFile, 'utf8').split('\n').filter((l) => /"level":"(warn|error|fatal)"/.test(l));
  }
}
