// Whether Aiven answers. An Aiven outage must not stop the worker: the
// workflows, the Kubernetes-only activities and the finalizers keep running,
// and the Aiven activities retry as Temporal retries them. Only a token Aiven
// *rejects* (401/403) is fatal: no retry can fix it, and running on would
// turn every pass into a failure.
import { Gauge, Registry } from 'prom-client';
import { AivenClient } from '../aiven/client';
import { isAivenApiError } from '../aiven/errors';
import type { Config } from '../config';
import type { Logger } from '../log';

export type TokenVerdict =
  | { kind: 'ok'; projects: string[] }
  | { kind: 'rejected'; message: string }
  | { kind: 'unreachable'; message: string };

/** GET /v1/project with the configured token. */
export async function checkAivenToken(
  config: Pick<Config, 'aivenUrl' | 'aivenToken'>,
  onResponse?: ConstructorParameters<typeof AivenClient>[0]['onResponse'],
  timeoutMs = 15_000,
): Promise<TokenVerdict> {
  const aiven = new AivenClient({ baseUrl: config.aivenUrl, token: config.aivenToken, onResponse, timeoutMs });
  try {
    const { projects } = await aiven.listProjects();
    return { kind: 'ok', projects: projects.map((p) => p.project_name) };
  } catch (err) {
    const status = isAivenApiError(err) ? err.status : undefined;
    const message = `GET ${config.aivenUrl}/v1/project: ${err instanceof Error ? err.message : String(err)}`;
    return status === 401 || status === 403 ? { kind: 'rejected', message } : { kind: 'unreachable', message };
  }
}

/** Aiven's health as the worker sees it: the start-up check, the background re-check, and every call's answer. */
export class AivenHealth {
  private up: boolean | undefined;
  private detail = 'not checked yet';
  private readonly gauge?: Gauge;

  constructor(registry?: Registry) {
    if (registry) {
      this.gauge = new Gauge({ name: 'aivenator_aiven_up', help: '1 while Aiven answers the worker, 0 while it cannot be reached or answers 5xx', registers: [registry] });
    }
  }

  markUp(detail = 'answering'): void {
    this.up = true;
    this.detail = detail;
    this.gauge?.set(1);
  }

  markDown(detail: string): void {
    this.up = false;
    this.detail = detail;
    this.gauge?.set(0);
  }

  /** Every Aiven call's outcome: any HTTP answer below 500 means Aiven is there. */
  observe(status: number | 'network'): void {
    if (status === 'network' || status >= 500) this.markDown(status === 'network' ? 'network error on an Aiven call' : `Aiven answered ${status}`);
    else if (this.up !== true) this.markUp();
  }

  isUp(): boolean {
    return this.up === true;
  }

  report(): { ok: boolean; detail: string } {
    return { ok: this.up === true, detail: this.detail };
  }
}

export interface AivenWatch {
  /** Rejects when Aiven rejects the token (then the process should stop). */
  done: Promise<void>;
  stop(): void;
}

/**
 * After a failed start-up check: asks Aiven again every `everyMs` until it
 * answers. Resolves quietly once the token is verified; rejects if Aiven
 * answers that the token is rejected.
 */
export function watchAivenUntilVerified(
  config: Pick<Config, 'aivenUrl' | 'aivenToken'>,
  health: AivenHealth,
  log: Logger,
  opts: { everyMs?: number; onResponse?: ConstructorParameters<typeof AivenClient>[0]['onResponse']; onRejected: (message: string) => Error },
): AivenWatch {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;
  let settle!: { resolve: () => void; reject: (err: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const tick = async () => {
    if (stopped) return;
    const verdict = await checkAivenToken(config, opts.onResponse);
    if (stopped) return;
    if (verdict.kind === 'ok') {
      health.markUp('token verified');
      log.info({ projects: verdict.projects.length }, 'Aiven answers again: token verified');
      settle.resolve();
    } else if (verdict.kind === 'rejected') {
      health.markDown(`token rejected: ${verdict.message}`);
      settle.reject(opts.onRejected(verdict.message));
    } else {
      health.markDown(verdict.message);
      // Once, then every tenth check: an outage must not flood the logs.
      if (failures++ % 10 === 0) log.warn({ err: verdict.message, checks: failures }, 'Aiven still unreachable; Kubernetes-only work continues, Aiven activities retry');
      timer = setTimeout(() => void tick(), opts.everyMs ?? 30_000);
      timer.unref();
    }
  };
  timer = setTimeout(() => void tick(), opts.everyMs ?? 30_000);
  timer.unref();
  return {
    done,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      settle.resolve();
    },
  };
}
