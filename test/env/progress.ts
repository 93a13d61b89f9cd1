// Waiting on progress rather than on the clock: a wait fails only when what it
// watches has not moved for a long time, so a slow or busy machine is never a
// failure, and a stuck system still is.
import type { Client } from '@temporalio/client';
import { appWorkflowId } from '../../workflows/ids';

/** How long nothing may move before a wait fails. */
export const STALL_MS = Number(process.env.AIVENATOR_TEST_STALL_MS ?? 120_000);

/**
 * A Jest timeout for tests that wait on progress: the stall detection is what
 * fails them; this only catches a wait that keeps moving for ever.
 */
export const PROGRESS_TEST_TIMEOUT_MS = 60 * 60_000;

/**
 * Polls `check` until it returns a value (not undefined). `progress` returns
 * anything JSON can compare (a count, a history length); every change of it
 * restarts the stall clock. Fails when it has not changed for `stallMs`.
 */
export async function untilDone<T>(
  check: () => Promise<T | undefined>,
  progress: () => Promise<unknown>,
  what: string,
  stallMs = STALL_MS,
): Promise<T> {
  let last: string | undefined;
  let movedAt = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    const now = await progress().then((p) => JSON.stringify(p), () => last);
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`no progress for ${stallMs} ms waiting for ${what} (progress stuck at ${last})${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Progress of an application's actor: its run and history length, read from the server. */
export function actorProgress(client: Client, namespace: string, name: string): () => Promise<string> {
  const handle = client.workflow.getHandle(appWorkflowId(namespace, name));
  return async () => {
    try {
      const d = await handle.describe();
      return `${d.runId}:${d.historyLength}`;
    } catch {
      // Not started yet: still waiting on the controller.
      return 'not started';
    }
  };
}
