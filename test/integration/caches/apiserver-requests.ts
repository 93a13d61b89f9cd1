// Reads the apiserver's own request counter (apiserver_request_total), summed
// by "<VERB> <resource>", so a test can say how many requests a step cost.
import * as https from 'node:https';
import { world } from '../../env/world';

export type RequestCounts = Record<string, number>;

export async function apiserverRequests(): Promise<RequestCounts> {
  const { server, adminToken } = world().kube;
  const text = await new Promise<string>((resolve, reject) => {
    https
      .get(`${server}/metrics`, { headers: { Authorization: `Bearer ${adminToken}` }, rejectUnauthorized: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
  const totals: RequestCounts = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    // Non-resource requests (/metrics, /healthz, discovery) are not what a step costs.
    if (!labels.resource) continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    totals[key] = (totals[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return totals;
}

/** What `step` cost, by "<VERB> <resource>" (resource requests only). */
export async function requestsDuring(step: () => Promise<unknown>): Promise<RequestCounts> {
  const before = await apiserverRequests();
  await step();
  const after = await apiserverRequests();
  const delta: RequestCounts = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d > 0) delta[key] = d;
  }
  return delta;
}

export function byVerb(counts: RequestCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    const verb = key.split(' ')[0];
    out[verb] = (out[verb] ?? 0) + n;
  }
  return out;
}
