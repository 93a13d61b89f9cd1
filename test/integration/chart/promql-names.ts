// The metric names and label matchers a PromQL expression uses: enough for the
// chart's alert and dashboard expressions (selectors `name{...}`, `name[...]`,
// bare names), not a PromQL parser.

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'le', 'inf', 'nan']);

/** Words followed by "(" are functions or aggregations; label names appear inside by (...) and {...}. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '{}') // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // grouping labels
    .replace(/\[[^\]]*\]/g, '[]'); // ranges
  const names = new Set<string>();
  for (const m of stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || KEYWORDS.has(m[1].toLowerCase()) || /^\d/.test(m[1])) continue;
    // Grafana's variables ($namespace) are inside matchers, already gone.
    names.add(m[1]);
  }
  return [...names];
}

/** The family a sample name belongs to: histograms expose _bucket, _count and _sum. */
export function family(name: string): string {
  return name.replace(/_(bucket|count|sum)$/, '');
}

export interface Matcher {
  metric: string;
  label: string;
  op: '=' | '=~';
  value: string;
}

/** Equality and regex matchers on a named metric, e.g. x{a="b",c=~"d|e"}; Grafana variables are left out. */
export function matchers(expr: string): Matcher[] {
  const out: Matcher[] = [];
  for (const m of expr.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\{([^}]*)\}/g)) {
    for (const l of m[2].matchAll(/(\w+)\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
      if (l[3].includes('$')) continue;
      out.push({ metric: m[1], label: l[1], op: l[2] as Matcher['op'], value: l[3] });
    }
  }
  return out;
}

/** Sample lines of a Prometheus text exposition: name and labels. */
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

/** Whether some sample of the matcher's metric (family) satisfies it. */
export function satisfied(text: string, m: Matcher): boolean {
  return samples(text).some((s) => family(s.name) === family(m.metric) && s.labels[m.label] !== undefined && (m.op === '=' ? s.labels[m.label] === m.value : new RegExp(`^(?:${m.value})$`).test(s.labels[m.label])));
}
