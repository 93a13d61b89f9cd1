// Aiven has no compare-and-set for an OpenSearch service's ACL config: every
// change is GET, edit, PUT of the whole config. Two activities doing that at
// once for the same service lose one of the edits (found by the chaos suite:
// an application's user converged without its ACL entry). Within a worker
// process the edits of one service are therefore run one after the other.
// Across worker replicas the race remains possible (rarer: both must hit the
// same service within one GET-PUT round trip).
const tails = new Map<string, Promise<unknown>>();

export async function withOpenSearchAclLock<T>(project: string, service: string, run: () => Promise<T>): Promise<T> {
  const key = `${project}/${service}`;
  const previous = tails.get(key) ?? Promise.resolve();
  const mine = previous.then(run, run);
  const tail = mine.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await mine;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
