import { couldBelongTo, isSuffixOf, namingProof, openSearchUserNamespaces, rivalNamespaces } from '../../../src/provenance/naming-proof';
import { kafkaServiceUserName, openSearchUserName, suffix3, valkeyUserName } from '../../../src/naming/names';

const project = 'dev-nais-dev';

describe('proof by name', () => {
  it('proves a Kafka user of the application at any generation up to the current one', () => {
    const user = { handler: 'kafka' as const, project, username: kafkaServiceUserName('orders', 'checkout', 3) };
    expect(namingProof(user, { namespace: 'orders', app: 'checkout', generation: 5 })).toEqual({ proven: true });
    expect(namingProof(user, { namespace: 'orders', app: 'checkout', generation: 2 }).proven).toBe(false);
    expect(namingProof(user, { namespace: 'orders', app: 'checkout' }).proven).toBe(true); // app gone: any generation
  });

  it("refuses another namespace's or application's Kafka user, and a name Aivenator never made", () => {
    const victim = { handler: 'kafka' as const, project, username: kafkaServiceUserName('orders', 'checkout', 1) };
    expect(namingProof(victim, { namespace: 'analytics', app: 'checkout', generation: 1 }).proven).toBe(false);
    expect(namingProof(victim, { namespace: 'orders', app: 'thief', generation: 1 }).proven).toBe(false);
    const handMade = { ...victim, username: `${victim.username.slice(0, -3)}zzz` };
    expect(isSuffixOf('zzz', 'checkout', 1000)).toBe(false);
    expect(namingProof(handMade, { namespace: 'orders', app: 'checkout', generation: 1000 }).proven).toBe(false);
    expect(namingProof({ ...victim, username: 'someone-else' }, { namespace: 'orders', app: 'checkout' }).proven).toBe(false);
  });

  it('reads the Go fixtures: team-0 becomes team 0', () => {
    expect(namingProof({ handler: 'kafka', project, username: '0_app-0_253bdca7_44u' }, { namespace: 'team-0', app: 'app-0', generation: 1 }).proven).toBe(true);
    expect(namingProof({ handler: 'kafka', project, username: '0_app-0_253bdca7_44u' }, { namespace: 'team-1', app: 'app-0', generation: 1 }).proven).toBe(false);
  });

  it('asks for the OpenSearch object of the namespace, and names the rival namespaces (orders vs orders-x)', () => {
    const user = { handler: 'opensearch' as const, project, service: 'opensearch-orders-x-logs', username: openSearchUserName('orders', 'read', 1, 'search') };
    const verdict = namingProof(user, { namespace: 'orders', app: 'search', generation: 1 });
    expect(verdict).toEqual({ proven: true, instance: { plural: 'opensearches', namespace: 'orders', name: 'opensearch-orders-x-logs', rivals: ['orders-x'] } });
    const theirs = { ...user, username: openSearchUserName('orders-x', 'read', 1, 'search') };
    expect(namingProof(theirs, { namespace: 'orders', app: 'search', generation: 1 }).proven).toBe(false);
    expect(namingProof(theirs, { namespace: 'orders-x', app: 'search', generation: 1 })).toEqual({
      proven: true, instance: { plural: 'opensearches', namespace: 'orders-x', name: 'opensearch-orders-x-logs', rivals: ['orders'] },
    });
    expect(rivalNamespaces('opensearch-', 'opensearch-orders-x-logs', 'orders')).toEqual(['orders-x']);
  });

  it('binds a Valkey user (named after the app only) to a service named for the namespace', () => {
    const user = { handler: 'valkey' as const, project, service: 'valkey-orders-sessions', username: valkeyUserName('checkout', 'readwrite', 1) };
    expect(namingProof(user, { namespace: 'orders', app: 'checkout', generation: 1 }).proven).toBe(true);
    // A tenant in analytics with an app of the same name: the service is not spelled for analytics.
    expect(namingProof(user, { namespace: 'analytics', app: 'checkout', generation: 1 })).toEqual({ proven: false, detail: 'service valkey-orders-sessions is not named valkey-analytics-<instance>' });
  });

  it('lists the namespaces an OpenSearch user name can belong to', () => {
    const s = suffix3(1, 'x');
    expect(openSearchUserNamespaces(`orders-rw-${s}`).sort()).toEqual(['orders', 'orders-rw']);
    expect(openSearchUserNamespaces('nonsense')).toEqual([]);
  });

  it('tells which namespaces could hold a user at all (evidence of use comes only from those)', () => {
    const kafka = { handler: 'kafka' as const, project, username: kafkaServiceUserName('orders', 'checkout', 1) };
    expect(couldBelongTo(kafka, 'orders')).toBe(true);
    expect(couldBelongTo(kafka, 'analytics')).toBe(false);
    expect(couldBelongTo({ ...kafka, username: '0_app-0_253bdca7_44u' }, 'team-0')).toBe(true);
    const os = { handler: 'opensearch' as const, project, service: 'opensearch-orders-logs', username: openSearchUserName('orders', 'read', 1, 'x') };
    expect(couldBelongTo(os, 'orders')).toBe(true);
    expect(couldBelongTo(os, 'analytics')).toBe(false);
    const valkey = { handler: 'valkey' as const, project, service: 'valkey-orders-sessions', username: valkeyUserName('checkout', 'read', 1) };
    expect(couldBelongTo(valkey, 'orders')).toBe(true);
    expect(couldBelongTo(valkey, 'analytics')).toBe(false);
  });
});
