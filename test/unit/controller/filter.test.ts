import { fingerprint, updateReason } from '../../../src/controller/filter';
import { AivenApplication } from '../../../src/kube/aivenapp-types';

function app(overrides: { generation?: number; labels?: Record<string, string>; annotations?: Record<string, string>; hash?: string; state?: string }): AivenApplication {
  return {
    apiVersion: 'aiven.nais.io/v1',
    kind: 'AivenApplication',
    metadata: { name: 'a', namespace: 'n', generation: overrides.generation ?? 1, labels: overrides.labels, annotations: overrides.annotations },
    spec: {},
    status: { synchronizationHash: overrides.hash, synchronizationState: overrides.state as 'RolloutComplete' | undefined },
  };
}

describe('the reference event filter', () => {
  const base = fingerprint(app({ labels: { a: '1', b: '2' }, annotations: { x: 'y' }, hash: 'abc' }));

  it('passes the first sight of an application', () => {
    expect(updateReason(undefined, base)).toBe('Created');
  });

  it.each([
    ['generation', app({ generation: 2, labels: { a: '1', b: '2' }, annotations: { x: 'y' }, hash: 'abc' }), 'GenerationChanged'],
    ['labels', app({ labels: { a: '1' }, annotations: { x: 'y' }, hash: 'abc' }), 'LabelsChanged'],
    ['annotations', app({ labels: { a: '1', b: '2' }, annotations: { x: 'z' }, hash: 'abc' }), 'AnnotationsChanged'],
    ['a cleared hash', app({ labels: { a: '1', b: '2' }, annotations: { x: 'y' }, hash: '' }), 'HashCleared'],
  ])('passes a change of %s', (_what, next, reason) => {
    expect(updateReason(base, fingerprint(next))).toBe(reason);
  });

  it('drops status-only updates, label reordering and a hash being set', () => {
    expect(updateReason(base, fingerprint(app({ labels: { b: '2', a: '1' }, annotations: { x: 'y' }, hash: 'abc', state: 'RolloutComplete' })))).toBeUndefined();
    const unsynced = fingerprint(app({ labels: { a: '1', b: '2' }, annotations: { x: 'y' } }));
    expect(updateReason(unsynced, base)).toBeUndefined();
  });
});
