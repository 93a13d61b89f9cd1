// The per-service lock around an OpenSearch ACL edit (GET, edit, PUT): edits of
// one service run one after the other, other services are not held up, and a
// failed edit does not block the next.
import { withOpenSearchAclLock } from '../../../activities/opensearch-acl-lock';

const tick = () => new Promise((r) => setTimeout(r, 5));

it('runs the edits of one service one at a time, in order, and those of other services alongside', async () => {
  const acls: Record<string, string[]> = { a: [], b: [] };
  const events: string[] = [];
  // A read-modify-write with a pause in the middle, as GET and PUT over the network.
  const add = (service: string, user: string) => withOpenSearchAclLock('p', service, async () => {
    events.push(`start ${service}/${user}`);
    const read = [...acls[service]];
    await tick();
    acls[service] = [...read, user];
    events.push(`end ${service}/${user}`);
  });
  await Promise.all([add('a', 'u1'), add('a', 'u2'), add('b', 'u3'), add('a', 'u4')]);
  expect(acls).toEqual({ a: ['u1', 'u2', 'u4'], b: ['u3'] });
  const a = events.filter((e) => e.includes(' a/'));
  expect(a).toEqual(['start a/u1', 'end a/u1', 'start a/u2', 'end a/u2', 'start a/u4', 'end a/u4']);
  // Service b started before a's first edit ended.
  expect(events.indexOf('start b/u3')).toBeLessThan(events.indexOf('end a/u1'));
});

it('passes results and errors through, and a failure does not block the next edit', async () => {
  await expect(withOpenSearchAclLock('p', 's', async () => { throw new Error('PUT refused'); })).rejects.toThrow('PUT refused');
  await expect(withOpenSearchAclLock('p', 's', async () => 'next')).resolves.toBe('next');
});
