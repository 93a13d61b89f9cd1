#!/usr/bin/env node
// The `aivenator` command: the operator (run, controller, worker), the sandbox
// (dev) and the operator's tools (status, history, replay, retry, finalizer,
// plan, bundle).
import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, ExitCode, Io, errorMessage, processIo } from './basics';
import { RUNTIME_FLAGS, addFlags, environmentHelp, temporalFlags } from './flags';

// Commands are loaded when they run: `aivenator --help`, the tools and the
// operator never load the sandbox (fake Aiven, devworld, ioredis).

function version(): string {
  for (const dir of [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(io: Io, exit: (code: number) => void): Command {
  const program = new Command('aivenator')
    .description('Provisions Aiven credentials into Kubernetes Secrets: a durable reconciler on Temporal.')
    .version(version())
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const run = (fn: () => Promise<number>) => async () => exit(await fn());
  // -n is the Kubernetes namespace everywhere, as in kubectl; Temporal's has its own flag.
  const temporalOptions = (cmd: Command) =>
    addFlags(cmd, temporalFlags()).addOption(new Option('--address <host:port>', 'same as --temporal-address').hideHelp());
  const namespaceFlag = (cmd: Command) => cmd.option('-n, --namespace <namespace>', 'Kubernetes namespace of the application');
  const kubeFlags = (cmd: Command) =>
    cmd
      .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster)')
      .option('--context <name>', 'kubeconfig context');
  const outputFlag = (cmd: Command) => cmd.addOption(new Option('-o, --output <format>', 'table or json').choices(['table', 'json']).default('table'));

  for (const [name, mode, description] of [
    ['run', 'all', 'run the controller and the worker in one process (the default command: bare flags, as the Go aivenator takes them, run this)'],
    ['controller', 'controller', 'run only the controller: watches AivenApplications and signals their actors'],
    ['worker', 'worker', 'run only the Temporal worker: the workflows and activities'],
  ] as const) {
    const cmd = program.command(name, { isDefault: name === 'run' }).description(description);
    addFlags(kubeFlags(cmd), RUNTIME_FLAGS)
      .addHelpText('after', environmentHelp(mode))
      .action((flags) =>
        run(async () => {
          const { runCommand } = await import('./commands/run');
          return runCommand(mode, flags, io);
        })(),
      );
  }

  program
    .command('dev')
    .description('the sandbox: local Kubernetes API, Temporal with its UI, a fake Aiven and sample apps, with Aivenator running against them')
    .option('--dir <dir>', 'where the sandbox keeps its files (env AIVENATOR_SANDBOX_DIR)', undefined)
    .option('--ui-port <port>', 'Temporal Web UI port (a free one when taken)', '8233')
    .option('--metrics-address <host:port>', 'metrics and probes (default 127.0.0.1:8080, or a free port)')
    .option('--exit-when-converged', 'stop everything and exit 0 once the sample apps converge (1 on timeout)')
    .option('--timeout <seconds>', 'with --exit-when-converged: how long to wait', '180')
    .option('--no-samples', 'create no sample applications')
    .option('--log-level <level>', 'Aivenator log level in the sandbox (default warn)')
    .action((flags) =>
      run(async () => {
        // The sandbox (fake Aiven, devworld, ioredis) is loaded only here.
        const { devCommand } = await import('./commands/dev');
        return devCommand(flags, io);
      })(),
    );

  const status = program
    .command('status [target]')
    .description('a table of AivenApplications with their state, generation, Secrets, last sync, actor and last error; target is <namespace>, <namespace>/<app>, or <app> with -n');
  outputFlag(namespaceFlag(kubeFlags(temporalOptions(status)))).action((target, flags) =>
    run(async () => (await import('./commands/status')).statusCommand(target, flags, io))(),
  );

  const history = program
    .command('history <app>')
    .description('the audit timeline of <namespace>/<app> (or -n <namespace> <app>) from Temporal history: passes, users, Secrets, failures, retries');
  outputFlag(namespaceFlag(temporalOptions(history)))
    .option('--runs <n>', 'at most this many runs (continue-as-new) back', '50')
    .action((target, flags) => run(async () => (await import('./commands/history')).historyCommand(target, flags, io))());

  const replay = program
    .command('replay [app]')
    .description('replay histories against the current workflow code; exit 1 on a determinism error');
  outputFlag(namespaceFlag(temporalOptions(replay)))
    .option('--query <query>', 'a visibility query, e.g. \'AivenAppNamespace="orders"\'')
    .option('--failed', 'every actor whose AivenSyncState is RolloutFailed')
    .option('--file <history.json>', 'a history JSON file (repeatable)', collect)
    .option('--save <dir>', 'also save the downloaded histories as JSON files here')
    .option('--bundle <file>', 'replay against this workflow bundle instead of the sources')
    .action((target, flags) => run(async () => (await import('./commands/replay')).replayCommand(target, flags, io))());

  const retry = program
    .command('retry [app]')
    .description('run a pass of <namespace>/<app> (or -n <namespace> <app>) now (signal changed, reason ManualRetry), or of every failed application');
  outputFlag(namespaceFlag(temporalOptions(retry)))
    .option('--failed', 'every running actor whose AivenSyncState is RolloutFailed')
    .action((target, flags) => run(async () => (await import('./commands/retry')).retryCommand(target, flags, io))());

  const finalizer = program
    .command('finalizer')
    .description('a deleted Secret\'s cleanup workflow (secret-finalizer/<ns>/<secret>/<uid>): show what it waits for, or skip the cleanup');
  for (const [action, description] of [
    ['show', 'what the cleanup of <namespace>/<secret> (or -n <namespace> <secret>) is doing or waiting for'],
    ['skip', 'release the Secret without deleting its Aiven users (they are orphaned on purpose; a CleanupSkipped event records who and why)'],
  ] as const) {
    const cmd = finalizer.command(`${action} <secret>`).description(description);
    outputFlag(namespaceFlag(kubeFlags(temporalOptions(cmd))))
      .option('--uid <uid>', 'the Secret\'s uid (default: read from the terminating Secret)');
    if (action === 'skip') cmd.option('--reason <why>', 'why (required)').option('--by <name>', 'who decided (default: your user name)');
    cmd.action((target, flags) => run(async () => (await import('./commands/finalizer')).finalizerCommand(action, target, flags, io))());
  }

  program
    .command('plan <file>')
    .description('what the AivenApplication manifests in <file> (or - for stdin) would create: Secrets, keys, users; touches nothing')
    .addOption(new Option('-o, --output <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('-n, --namespace <namespace>', 'Kubernetes namespace for manifests without one', 'default')
    .option('--generation <n>', 'generation to name users with (a new object has 1)')
    .option('--projects <pools>', 'allowed Kafka pools (default: AIVENATOR_PROJECTS)')
    .option('--main-project <project>', 'project for OpenSearch and Valkey (default: AIVENATOR_MAIN_PROJECT)')
    .action((file, flags) => run(async () => (await import('./commands/plan')).planCommand(file, flags, io))());

  program
    .command('bundle <out>')
    .description('write the workflow bundle (for images: set AIVENATOR_WORKFLOW_BUNDLE to it and the worker starts without bundling)')
    .action((out) =>
      run(async () => {
        const { bundleWorkflows } = await import('../../worker/worker');
        const bundle = await bundleWorkflows();
        fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
        fs.writeFileSync(out, bundle.code);
        io.err(`wrote ${out} (${(bundle.code.length / 1024).toFixed(0)} KiB)`);
        return 0;
      })(),
    );
  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number | undefined;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // --help and --version exit 0; usage errors are configuration errors.
      return e.exitCode === 0 ? 0 : ExitCode.Config;
    }
    if (err instanceof CliError) {
      io.err(`aivenator: ${err.message}`);
      return err.exitCode;
    }
    io.err(`aivenator: ${errorMessage(err)}`);
    return ExitCode.Runtime;
  }
  return code ?? 0;
}

if (require.main === module) {
  void main(process.argv).then((code) => process.exit(code));
}
