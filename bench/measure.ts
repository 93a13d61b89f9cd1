// What the benchmark reads off the running system: process peaks from /proc,
// Kubernetes writes from the apiserver's own request counters, Aiven calls
// from the fake's counters, history sizes from Temporal.
import * as fs from 'node:fs';
import * as https from 'node:https';

export interface ProcessUsage {
  peakRssMb: number;
  cpuSeconds: number;
}

/** Peak resident set (VmHWM) and user+system CPU (all threads) of a process, from /proc. */
export function processUsage(pid: number): ProcessUsage {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name in parentheses; utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { peakRssMb: Math.round(hwmKb / 1024), cpuSeconds: ticks / 100 };
}

/** Usage of every process by role; a process that has gone reports zeros. */
export function usageOf(pids: Record<string, number>): Record<string, ProcessUsage> {
  return Object.fromEntries(Object.entries(pids).map(([role, pid]) => {
    try {
      return [role, processUsage(pid)];
    } catch {
      return [role, { peakRssMb: 0, cpuSeconds: 0 }];
    }
  }));
}

/** CPU used between two snapshots (ms per app) and the peak RSS at the end, by role. */
export function usageTable(before: Record<string, ProcessUsage>, after: Record<string, ProcessUsage>, apps: number): Record<string, { cpuS: number; cpuMsPerApp: number; peakRssMb: number }> {
  return Object.fromEntries(Object.entries(after).map(([role, u]) => {
    const cpuS = u.cpuSeconds - (before[role]?.cpuSeconds ?? 0);
    return [role, { cpuS: Math.round(cpuS * 100) / 100, cpuMsPerApp: Math.round((cpuS * 1000) / apps * 10) / 10, peakRssMb: u.peakRssMb }];
  }));
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY', 'CREATE', 'UPDATE', 'DELETECOLLECTION']);

const APISERVER_OWN = new Set(['leases', 'endpoints', 'endpointslices', 'flowschemas', 'prioritylevelconfigurations']);

export function isWrite(key: string): boolean {
  return WRITE_VERBS.has(key.slice(0, key.indexOf(' ')));
}

/** apiserver_request_total summed by "<verb> <resource>[/<subresource>]", reads (GET, LIST, WATCH) too. */
export async function apiserverRequests(server: string, token: string): Promise<Map<string, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    https
      .get(`${server}/metrics`, { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    // The benchmark's own scrapes of /metrics and the apiserver's own bookkeeping are not Aivenator's.
    if (!labels.resource || APISERVER_OWN.has(labels.resource)) continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return totals;
}

export function diff(after: Map<string, number>, before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta > 0) out[key] = delta;
  }
  return out;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
