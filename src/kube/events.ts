// Kubernetes Events (events.k8s.io/v1) reported by `aivenator`.
import * as k8s from '@kubernetes/client-node';
import * as os from 'node:os';
import { FIELD_MANAGER, KubeClients } from './clients';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface EventSpec {
  reason: string;
  note: string;
  type?: 'Normal' | 'Warning';
  /** What the controller did (events.k8s.io `action`); defaults to the reason. */
  action?: string;
}

const reportingInstance = `${FIELD_MANAGER}-${os.hostname()}`.slice(0, 128);

/** Events are best effort: a failure to record one never fails the work it reports. */
export async function recordEvent(kube: KubeClients, target: EventTarget, event: EventSpec, onError?: (err: unknown) => void): Promise<void> {
  try {
    await createEvent(kube, target, event);
  } catch (err) {
    onError?.(err);
  }
}

async function createEvent(kube: KubeClients, target: EventTarget, event: EventSpec): Promise<void> {
  const now = new Date();
  await kube.events.createNamespacedEvent({
    namespace: target.namespace,
    body: {
      // A trailing '-' is the only separator generateName accepts.
      metadata: { generateName: `${target.name.slice(0, 200)}-`, namespace: target.namespace },
      eventTime: new k8s.V1MicroTime(now.getTime()),
      reportingController: FIELD_MANAGER,
      reportingInstance,
      action: event.action ?? event.reason,
      reason: event.reason,
      // The API limits notes to 1 kB.
      note: event.note.slice(0, 1024),
      type: event.type ?? 'Normal',
      regarding: { apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name, uid: target.uid },
    },
  });
}

export async function listEvents(kube: KubeClients, namespace: string, regardingName?: string): Promise<k8s.EventsV1Event[]> {
  const list = await kube.events.listNamespacedEvent({
    namespace,
    fieldSelector: regardingName ? `regarding.name=${regardingName}` : undefined,
  });
  return list.items;
}
