// Records a Kubernetes Event for an activity; a failure is logged, not thrown.
import { describeKubeError } from '../src/kube/clients';
import { EventSpec, EventTarget, recordEvent } from '../src/kube/events';
import { ActivityDeps } from './deps';

export function emitEvent(deps: ActivityDeps, target: EventTarget, event: EventSpec): Promise<void> {
  return recordEvent(deps.kube, target, event, (err) =>
    deps.log.warn({ reason: event.reason, namespace: target.namespace, name: target.name, err: describeKubeError(err) }, 'could not record event'),
  );
}
