// `aivenator run` without TEMPORAL_ADDRESS: a Temporal dev server (the
// `temporal` CLI's `server start-dev`, SQLite in a file, Web UI on) started
// next to Aivenator, with the search attributes registered.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, tcpOpen } from '../devworld/process';
import { RunningTemporalServer, startTemporalServer } from '../devworld/temporal-server';
import { toolsDir } from '../devworld/tools';
import { CliError, ExitCode } from './common';

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.AIVENATOR_DATA_DIR || path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'aivenator');
}

/** AIVENATOR_TEMPORAL_BINARY, the one scripts/tools.sh built, or `temporal` on the PATH. */
export function findTemporalBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIVENATOR_TEMPORAL_BINARY) return env.AIVENATOR_TEMPORAL_BINARY;
  const manifest = path.join(toolsDir(), 'versions.json');
  if (fs.existsSync(manifest)) {
    const temporal = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { temporal?: string }).temporal;
    if (temporal && fs.existsSync(temporal)) return temporal;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).trim();
  } catch {
    throw new CliError(
      'TEMPORAL_ADDRESS is not set and no Temporal CLI was found to start an embedded dev server: ' +
        "set TEMPORAL_ADDRESS, or run 'bash scripts/tools.sh' (builds it), or set AIVENATOR_TEMPORAL_BINARY",
      ExitCode.Config,
    );
  }
}

/** Port `preferred` when free, otherwise any free port. */
export async function portOr(preferred: number): Promise<number> {
  if (preferred > 0 && !(await tcpOpen(preferred))) return preferred;
  return freePort();
}

export async function startEmbeddedTemporal(opts: { env?: NodeJS.ProcessEnv; namespace: string }): Promise<RunningTemporalServer & { dbFile: string }> {
  const env = opts.env ?? process.env;
  const dir = dataDir(env);
  fs.mkdirSync(dir, { recursive: true });
  const dbFile = path.join(dir, 'temporal.db');
  const server = await startTemporalServer({
    binary: findTemporalBinary(env),
    dir,
    dbFile,
    namespace: opts.namespace,
    port: await portOr(Number(env.AIVENATOR_TEMPORAL_PORT ?? 7233)),
    uiPort: await portOr(Number(env.AIVENATOR_TEMPORAL_UI_PORT ?? 8233)),
  });
  return { ...server, dbFile };
}
