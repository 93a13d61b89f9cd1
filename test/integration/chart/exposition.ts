// The Prometheus text exposition as the tests need it: the samples of a
// scrape, the metric families it exports, and whether a label matcher (from
// test/tools/promql, Prometheus's parser) selects one of its series.
import type { Matcher } from './helm';

/** The family a sample name belongs to: histograms expose _bucket, _count and _sum. */
export function family(name: string): string {
  return name.replace(/_(bucket|count|sum)$/, '');
}

/** Sample lines of an exposition: name and labels. */
export function samples(text: string): { name: string; labels: Record<string, string> }[] {
  const out: { name: string; labels: Record<string, string> }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+\S+/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels });
  }
  return out;
}

/** Families declared (# TYPE) or sampled in an exposition. */
export function exportedFamilies(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) /gm)) names.add(m[1]);
  for (const s of samples(text)) names.add(family(s.name));
  return names;
}

/** Whether some sample of the metric (family) satisfies the matcher (=, !=, =~, !~; regexes anchored as in PromQL). */
export function satisfied(text: string, metric: string, m: Matcher): boolean {
  const test = (v: string) => {
    if (m.op === '=' || m.op === '!=') return (v === m.value) === (m.op === '=');
    return new RegExp(`^(?:${m.value})$`).test(v) === (m.op === '=~');
  };
  return samples(text).some((s) => family(s.name) === family(metric) && test(s.labels[m.label] ?? ''));
}
