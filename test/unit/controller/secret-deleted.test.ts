// A deleted Secret that an application's spec still names signals that
// application at once; other deletions signal nothing.
import { AppController } from '../../../src/controller/controller';
import type { AppSignaler } from '../../../src/controller/signaler';
import type { AivenApplication } from '../../../src/kube/aivenapp-types';
import type { KubeClients } from '../../../src/kube/clients';
import { createLogger } from '../../../src/log';

function app(namespace: string, name: string, spec: Record<string, unknown>, secretNames?: string[]): AivenApplication {
  return { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', metadata: { namespace, name, generation: 1 }, spec, ...(secretNames ? { secretNames } : {}) } as unknown as AivenApplication;
}

describe('AppController.secretDeleted', () => {
  it('signals the applications of that namespace whose spec names the Secret, with reason SecretDeleted', async () => {
    const signals: string[] = [];
    const signaler = {
      changed: async (ns: string, name: string, reason: string) => void signals.push(`${ns}/${name}:${reason}`),
      deleted: async () => undefined,
    } as unknown as AppSignaler;
    const controller = new AppController({ kube: {} as KubeClients, signaler, log: createLogger({ level: 'silent' }) });
    // As the watch delivers them: reduced to the Secret names by the watch's transform.
    controller.observe(app('orders', 'checkout', {}, ['checkout-kafka', 'checkout-valkey']));
    controller.observe(app('orders', 'other', {}, ['other-kafka']));
    controller.observe(app('analytics', 'checkout', {}, ['checkout-kafka']));
    await controller.drained();
    signals.length = 0;

    controller.secretDeleted('orders', 'checkout-kafka');
    controller.secretDeleted('orders', 'nobody-names-this');
    await controller.drained();
    expect(signals).toEqual(['orders/checkout:SecretDeleted']);
    await controller.stop();
  });
});
