// Folds requests for the same key that arrive within a short window into one
// run. A request joins a run only before that run starts, so every caller gets
// a result read after its request: what a live confirmation needs.

export class Coalescer<V> {
  private readonly pending = new Map<string, Promise<V>>();
  private started = 0;

  constructor(private readonly run: (key: string) => Promise<V>, private readonly debounceMs: number) {}

  get(key: string): Promise<V> {
    const joined = this.pending.get(key);
    if (joined) return joined;
    const promise = new Promise<V>((resolve, reject) => {
      setTimeout(() => {
        this.pending.delete(key);
        this.started++;
        this.run(key).then(resolve, reject);
      }, this.debounceMs);
    });
    this.pending.set(key, promise);
    return promise;
  }

  /** How many runs have started (for tests and figures). */
  get runs(): number {
    return this.started;
  }
}
