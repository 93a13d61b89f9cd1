// Just enough PromQL to evaluate the Go aivenator chart's four alert
// expressions over two scrapes of our /metrics text: instant vectors from the
// exposition format, rate() as the increase between two scrapes, sum, and
// histogram_quantile with Prometheus's linear interpolation inside a bucket.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (no timestamps, as prom-client writes it). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

export type Matchers = Record<string, string>;

/** `name{matchers}`: the samples of one series family whose labels equal the matchers. */
export function select(samples: Sample[], name: string, matchers: Matchers = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(matchers).every(([k, v]) => s.labels[k] === v));
}

/** `rate(name{matchers}[window])` between two scrapes `seconds` apart, per series. */
export function rate(before: Sample[], after: Sample[], name: string, matchers: Matchers, seconds: number): Sample[] {
  const key = (s: Sample) => JSON.stringify(Object.entries(s.labels).sort());
  const old = new Map(select(before, name, matchers).map((s) => [key(s), s.value]));
  return select(after, name, matchers).map((s) => ({ ...s, value: (s.value - (old.get(key(s)) ?? 0)) / seconds }));
}

export function sum(samples: Sample[]): number | undefined {
  return samples.length === 0 ? undefined : samples.reduce((a, s) => a + s.value, 0);
}

/** `histogram_quantile(q, sum(<bucket samples>) by (le))`. NaN without observations. */
export function histogramQuantile(q: number, buckets: Sample[]): number {
  const byLe = new Map<number, number>();
  for (const b of buckets) {
    const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + b.value);
  }
  const sorted = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return prevLe; // Prometheus: the highest finite bound
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
