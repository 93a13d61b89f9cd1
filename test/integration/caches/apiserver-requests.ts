// What a step costs the apiserver, by "<VERB> <resource>", from its own request
// counter (apiserver_request_total) — read the way the benchmark reads it.
import { apiserverRequests, diff } from '../../../bench/measure';
import { world } from '../../env/world';

export type RequestCounts = Record<string, number>;

/** What `step` cost (resource requests only, without the apiserver's own bookkeeping). */
export async function requestsDuring(step: () => Promise<unknown>): Promise<RequestCounts> {
  const { server, adminToken } = world().kube;
  const before = await apiserverRequests(server, adminToken);
  await step();
  return diff(await apiserverRequests(server, adminToken), before);
}

export function byVerb(counts: RequestCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    const verb = key.split(' ')[0];
    out[verb] = (out[verb] ?? 0) + n;
  }
  return out;
}
