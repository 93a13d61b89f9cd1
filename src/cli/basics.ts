// What even `aivenator --help` needs: exit codes, the CLI's error, where output
// goes. Kept apart from common.ts so the entry point loads no client library.

/** The reference's exit codes, used by the long-running commands too. */
export const ExitCode = {
  Ok: 0,
  /** The controller could not start or its watch failed for good. */
  Controller: 1,
  /** The controller failed (watch could not start), or a tool found a problem (replay mismatch). */
  Failure: 1,
  /** Bad configuration or usage. */
  Config: 2,
  /** A runtime failure: Temporal or Kubernetes unreachable, the worker crashed. */
  Runtime: 3,
  /** Aiven refused the token (401/403); an unreachable Aiven is not fatal. */
  Credentials: 4,
} as const;

export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode: number = ExitCode.Failure) {
    super(message);
  }
}

/** Where a command writes: stdout for results, stderr for progress and diagnostics. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress lines may be rewritten in place). */
  interactive: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
