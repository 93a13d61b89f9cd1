// What the caches keep: never Secret data, managedFields or kubectl's
// last-applied annotation; workloads and applications as Secret names.
import { LAST_APPLIED, secretUserOfApp, secretUserOfWorkload, slim } from '../../../src/kube/cache/trim';
import { Coalescer } from '../../../src/kube/cache/coalesce';

describe('cache transforms', () => {
  it('keeps a Secret\'s identity, labels, annotations, finalizers and deletion mark, and nothing else', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        namespace: 'ns', name: 's', uid: 'u', resourceVersion: '7',
        labels: { type: 'aivenator.aiven.nais.io' },
        annotations: { keep: 'me', [LAST_APPLIED]: '{"data":{"password":"c2VjcmV0"}}' },
        finalizers: ['aivenator.aiven.nais.io/finalizer'],
        deletionTimestamp: new Date(0),
        managedFields: [{ manager: 'kubectl' }],
      },
      data: { password: 'c2VjcmV0' },
      stringData: { password: 'secret' },
    };
    const kept = slim(secret);
    expect(kept).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'ns', name: 's', uid: 'u', resourceVersion: '7', labels: { type: 'aivenator.aiven.nais.io' }, annotations: { keep: 'me' }, finalizers: ['aivenator.aiven.nais.io/finalizer'], deletionTimestamp: new Date(0) },
    });
    expect(JSON.stringify(kept)).not.toContain('c2VjcmV0');
    // The original is not modified.
    expect(secret.metadata.annotations[LAST_APPLIED]).toBeDefined();
  });

  it('reduces a workload to the Secret names its pod template uses', () => {
    const cronJob = {
      metadata: { namespace: 'ns', name: 'nightly' },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'a' } }] }], volumes: [{ name: 'v', secret: { secretName: 'b' } }] } } } } },
    };
    expect(secretUserOfWorkload('CronJob')(cronJob)).toEqual({ kind: 'CronJob', metadata: { namespace: 'ns', name: 'nightly' }, secretNames: ['b', 'a'] });
    expect(secretUserOfApp({ metadata: { namespace: 'ns', name: 'app' }, spec: { kafka: { secretName: 'k' }, valkey: [{ secretName: 'v' }] } } as never)).toMatchObject({ kind: 'AivenApplication', secretNames: ['k', 'v'] });
  });
});

describe('Coalescer', () => {
  it('folds requests for a key into one run until that run starts; later requests get a run of their own', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const coalescer = new Coalescer(async (key) => {
      const n = started.push(key);
      await gate;
      return `${key}#${n}`;
    }, 5);
    const first = [coalescer.get('ns'), coalescer.get('ns'), coalescer.get('other')];
    // Wait until the first runs have started (progress, not a clock).
    while (started.length < 2) await new Promise((r) => setTimeout(r, 1));
    const later = coalescer.get('ns');
    release();
    const results = await Promise.all([...first, later]);
    expect(started.sort()).toEqual(['ns', 'ns', 'other']);
    expect(results[0]).toBe(results[1]);
    expect(results[3]).not.toBe(results[0]);
    expect(coalescer.runs).toBe(3);
  });
});
