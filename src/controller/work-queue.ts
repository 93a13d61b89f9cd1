// A keyed work queue like client-go's: a key waiting to be processed is held
// once (later reasons fold into it), a key is never processed twice at once,
// and a failed key is retried with exponential backoff.

export interface WorkQueueOptions {
  concurrency: number;
  process: (key: string, reason: string) => Promise<void>;
  onError?: (key: string, err: unknown, attempt: number) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly waiting = new Map<string, string>();
  private readonly active = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkQueueOptions) {}

  add(key: string, reason: string): void {
    if (this.stopped) return;
    if (!this.waiting.has(key)) this.waiting.set(key, reason);
    this.pump();
  }

  get length(): number {
    return this.waiting.size + this.active.size;
  }

  /** Resolves when nothing is waiting, running or scheduled for retry. */
  idle(): Promise<void> {
    if (this.length === 0 && this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.clear();
  }

  private pump(): void {
    for (const [key, reason] of this.waiting) {
      if (this.running >= this.opts.concurrency) return;
      if (this.active.has(key)) continue;
      this.waiting.delete(key);
      this.active.add(key);
      this.running++;
      void this.run(key, reason);
    }
    if (this.length === 0 && this.timers.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(key: string, reason: string): Promise<void> {
    try {
      await this.opts.process(key, reason);
      this.failures.delete(key);
    } catch (err) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      this.opts.onError?.(key, err, attempt);
      const delay = Math.min((this.opts.baseDelayMs ?? 500) * 2 ** (attempt - 1), this.opts.maxDelayMs ?? 60_000);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.add(key, reason);
      }, delay);
      this.timers.add(timer);
    } finally {
      this.active.delete(key);
      this.running--;
      this.pump();
    }
  }
}
