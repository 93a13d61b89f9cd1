// Valkey: the instance must be an aiven.io Valkey in the application's
// namespace and RUNNING; the user gets the access level's ACL, set again when
// an existing user's differs.
import { accessControlEquals, valkeyAccessControl, valkeyAddresses, valkeyAnnotations, valkeySecretData, valkeyServiceName } from '../src/handlers/valkey';
import { findRunningInstance } from '../src/kube/aiven-instances';
import { valkeyUserName } from '../src/naming/names';
import { ActivityDeps } from './deps';
import { handlerActivity } from './failures';
import { readTargetSecret, writeSecret } from './secret-writer';
import { getOrCreateUser, projectCa } from './service-users';
import type { SyncSecretInput, SyncSecretResult } from '../src/model/types';

export function valkeyActivities(deps: ActivityDeps) {
  return {
    async syncValkeySecret(input: SyncSecretInput): Promise<SyncSecretResult> {
      return handlerActivity(deps, 'valkey', async () => {
        const { namespace, name, generation } = input.app;
        const { instance = '', access } = input.entry;
        const project = deps.mainProject;
        const existing = await readTargetSecret(deps, input);
        const serviceName = await findRunningInstance(deps.kube, 'valkeys', namespace, [valkeyServiceName(namespace, instance)]);
        const username = valkeyUserName(name, access, generation);
        const wanted = valkeyAccessControl(access);
        // The user first: a name Aiven refuses then costs one call, not two.
        const { user, created } = await getOrCreateUser(deps, project, serviceName, username, wanted);
        const [service, ca] = await Promise.all([deps.aiven.getService(project, serviceName), projectCa(deps, project)]);
        const addresses = valkeyAddresses(service);
        if (!created && !accessControlEquals(user.access_control, wanted)) {
          await deps.aiven.modifyServiceUser(project, serviceName, username, { operation: 'set-access-control', access_control: wanted });
          deps.log.info({ project, service: serviceName, username }, 'updated service user access control');
          deps.metrics?.serviceUserUpdated(project, serviceName);
        }
        const data = valkeySecretData(instance, user, addresses);
        const write = await writeSecret(deps, input, existing, valkeyAnnotations(instance, serviceName, username, project), data, ca);
        return { secretName: input.entry.secretName, service: 'valkey', serviceName, project, username, userCreated: created, ...write };
      });
    },
  };
}
