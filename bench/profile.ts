// Summarises V8 CPU profiles (node --cpu-prof): the functions and files with
// the most self time, idle excluded. A process with worker threads (the
// Temporal worker's workflow threads) writes one profile per thread; they are
// summed.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  profiles: number;
  sampledMs: number;
  topFunctions: { name: string; ms: number; pct: number }[];
  topFiles: { file: string; ms: number; pct: number }[];
}

const IDLE = new Set(['(idle)', '(root)']);

export function summariseProfiles(dir: string, top = 15): ProfileSummary | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return undefined;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    // Self time: each sample's delta is charged to the node it was taken in.
    for (let i = 0; i < profile.samples.length; i++) {
      const node = nodes.get(profile.samples[i]);
      if (!node || IDLE.has(node.callFrame.functionName)) continue;
      const us = Math.max(0, profile.timeDeltas[i] ?? 0);
      const { functionName, url, lineNumber } = node.callFrame;
      const where = shortFile(url);
      const fn = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
      byFile.set(where || functionName, (byFile.get(where || functionName) ?? 0) + us);
      total += us;
    }
  }
  const ms = (us: number) => Math.round(us / 100) / 10;
  const pct = (us: number) => Math.round((us / Math.max(total, 1)) * 1000) / 10;
  const rank = <K extends string>(m: Map<string, number>, key: K) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ [key]: k, ms: ms(us), pct: pct(us) }) as Record<K, string> & { ms: number; pct: number });
  return { profiles: files.length, sampledMs: ms(total), topFunctions: rank(byFunction, 'name'), topFiles: rank(byFile, 'file') };
}

/** node_modules/<package>/… or the project-relative path; empty for V8's own entries. */
function shortFile(url: string): string {
  if (!url) return '';
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('node_modules/');
  if (nm >= 0) return clean.slice(nm + 'node_modules/'.length);
  const dist = clean.indexOf('/dist/');
  if (dist >= 0) return clean.slice(dist + '/dist/'.length);
  return clean.startsWith('node:') ? clean : path.basename(clean);
}

export function printProfile(label: string, s: ProfileSummary | undefined, out: (line: string) => void): void {
  if (!s) {
    out(`${label}: no CPU profile written`);
    return;
  }
  out(`${label}: ${s.profiles} profile(s), ${(s.sampledMs / 1000).toFixed(1)} s of non-idle samples`);
  out('  top self time by function:');
  for (const f of s.topFunctions) out(`    ${String(f.ms).padStart(8)} ms ${String(f.pct).padStart(5)}%  ${f.name}`);
  out('  top self time by file:');
  for (const f of s.topFiles) out(`    ${String(f.ms).padStart(8)} ms ${String(f.pct).padStart(5)}%  ${f.file}`);
}
