// Whether the controller can signal Temporal. The controller retries a failed
// signal for ever; meanwhile /readyz says so, and the logs carry the whole
// cause (e.g. a namespace without the search attributes, with the command that
// creates them) instead of the SDK's "Failed to signalWithStart Workflow".
import type { Client } from '@temporalio/client';
import { AppSignaler } from '../controller/signaler';
import { FinalizerStarter } from '../controller/secret-controller';
import { describeTemporalError } from './temporal';

export class SignalHealth {
  private failure?: string;
  private since?: string;
  private source?: string;

  ok(): void {
    this.failure = undefined;
    this.since = undefined;
    this.source = undefined;
  }

  /** `source` names who reported it, so that only the same check can clear it (see clear). */
  failed(message: string, source = 'signal'): void {
    if (!this.failure) this.since = new Date().toISOString();
    this.failure = message;
    this.source = source;
  }

  /** Clears a failure that `source` reported (a later failed signal stays). */
  clear(source: string): void {
    if (this.source === source) this.ok();
  }

  isHealthy(): boolean {
    return this.failure === undefined;
  }

  report(): { ok: boolean; detail?: string } {
    return this.failure ? { ok: false, detail: `cannot signal Temporal since ${this.since}: ${this.failure}` } : { ok: true };
  }
}

interface Where {
  address: string;
  namespace: string;
}

/** Runs one Temporal call, recording the outcome and rethrowing with the full cause. */
async function reported<T>(health: SignalHealth, where: Where, call: () => Promise<T>): Promise<T> {
  try {
    const result = await call();
    health.ok();
    return result;
  } catch (err) {
    const message = describeTemporalError(err, where);
    health.failed(message);
    throw new Error(message, { cause: err });
  }
}

export class ReportingAppSignaler extends AppSignaler {
  constructor(client: Client, taskQueue: string, private readonly health: SignalHealth, private readonly where: Where) {
    super(client, taskQueue);
  }

  override changed(namespace: string, name: string, reason: string): Promise<void> {
    return reported(this.health, this.where, () => super.changed(namespace, name, reason));
  }

  override deleted(namespace: string, name: string): Promise<void> {
    return reported(this.health, this.where, () => super.deleted(namespace, name));
  }
}

export class ReportingFinalizerStarter extends FinalizerStarter {
  constructor(client: Client, taskQueue: string, private readonly health: SignalHealth, private readonly where: Where) {
    super(client, taskQueue);
  }

  override finalize(secret: Parameters<FinalizerStarter['finalize']>[0]): Promise<void> {
    return reported(this.health, this.where, () => super.finalize(secret));
  }
}
