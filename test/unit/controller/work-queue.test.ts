import { WorkQueue } from '../../../src/controller/work-queue';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('holds a waiting key once and never runs a key twice at once', async () => {
    const runs: string[] = [];
    let active = 0;
    let maxActive = 0;
    const queue = new WorkQueue({
      concurrency: 4,
      process: async (key, reason) => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.push(`${key}:${reason}`);
        await tick(20);
        active--;
      },
    });
    queue.add('a', 'first');
    await tick();
    // 'a' is running: these fold into one more run, with the first reason kept.
    queue.add('a', 'second');
    queue.add('a', 'third');
    await queue.idle();
    expect(runs).toEqual(['a:first', 'a:second']);
    expect(maxActive).toBe(1);
  });

  it('runs different keys concurrently up to the limit', async () => {
    let active = 0;
    let maxActive = 0;
    const queue = new WorkQueue({
      concurrency: 2,
      process: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await tick(10);
        active--;
      },
    });
    for (const k of ['a', 'b', 'c', 'd', 'e']) queue.add(k, 'r');
    await queue.idle();
    expect(maxActive).toBe(2);
  });

  it('retries a failing key with backoff until it succeeds', async () => {
    let attempts = 0;
    const errors: number[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      baseDelayMs: 5,
      process: async () => {
        attempts++;
        if (attempts < 3) throw new Error('down');
      },
      onError: (_key, _err, attempt) => errors.push(attempt),
    });
    queue.add('a', 'r');
    await queue.idle();
    expect(attempts).toBe(3);
    expect(errors).toEqual([1, 2]);
  });

  it('drops everything when stopped', async () => {
    const runs: string[] = [];
    const queue = new WorkQueue({ concurrency: 1, baseDelayMs: 1000, process: async (k) => { runs.push(k); throw new Error('x'); } });
    queue.add('a', 'r');
    await tick(10);
    queue.stop();
    queue.add('b', 'r');
    await tick(20);
    expect(runs).toEqual(['a']);
  });
});
