// Drift repair in place: a Secret that lost keys is written again with the
// user it already names — no new user, no new password (Aiven returns the
// user's own), the Kafka store password kept by writeKafkaSecret. Only when the
// annotated user is the application's own (its naming scheme, whatever the
// suffix, in the service the spec resolves to); otherwise the caller falls back
// to a normal sync of that entry. A tenant editing annotations can therefore
// not pull another application's credentials into its Secret.
import { openSearchAddresses, openSearchAnnotations, openSearchSecretData, openSearchServiceCandidates } from '../src/handlers/opensearch';
import { valkeyAddresses, valkeyAnnotations, valkeySecretData, valkeyServiceName } from '../src/handlers/valkey';
import { findRunningInstance } from '../src/kube/aiven-instances';
import { accessSuffix, kafkaServiceUserNameWithSuffix } from '../src/naming/names';
import type { RepairInput, RepairResult } from '../src/model/health';
import type { SecretEntry } from '../src/model/types';
import { ActivityDeps } from './deps';
import { handlerActivity } from './failures';
import { kafkaPool, writeKafkaSecret } from './kafka';
import { readTargetSecret, writeSecret } from './secret-writer';
import { projectCa } from './service-users';

/** Whether `username` follows the application's naming scheme for this entry (any 3-character suffix: older suffix schemes too). */
export function isOwnUsername(entry: SecretEntry, namespace: string, app: string, username: string): boolean {
  const prefix =
    entry.service === 'kafka' ? kafkaServiceUserNameWithSuffix(namespace, app, '')
      : entry.service === 'opensearch' ? `${namespace}${accessSuffix(entry.access)}-`
        : `${app}${accessSuffix(entry.access)}-`;
  return username.startsWith(prefix) && username.length === prefix.length + 3;
}

export function repairActivities(deps: ActivityDeps) {
  return {
    async repairSecretInPlace(input: RepairInput): Promise<RepairResult> {
      return handlerActivity(deps, input.entry.service, async () => {
        const { namespace, name } = input.app;
        const refused = (why: string): RepairResult => ({ secretName: input.entry.secretName, repaired: false, why });
        if (!isOwnUsername(input.entry, namespace, name, input.username)) return refused(`user ${input.username} does not follow the application's naming scheme`);
        const existing = await readTargetSecret(deps, input);
        if (!existing) return refused('the Secret is gone');
        const entry = input.entry;
        switch (entry.service) {
          case 'kafka': {
            if (input.project !== entry.pool) return refused(`the Secret names pool ${input.project}, the spec ${entry.pool ?? ''}`);
            const pool = await kafkaPool(deps, input.project);
            if (pool.serviceName !== input.serviceName) return refused(`the Secret names service ${input.serviceName}, the pool's is ${pool.serviceName}`);
            const user = await deps.aiven.getServiceUser(pool.pool, pool.serviceName, input.username, { includeSecrets: true });
            await writeKafkaSecret(deps, input, existing, pool, user);
            break;
          }
          case 'opensearch': {
            const project = deps.mainProject;
            const serviceName = await findRunningInstance(deps.kube, 'opensearches', namespace, openSearchServiceCandidates(namespace, entry.instance ?? ''));
            if (input.project !== project || input.serviceName !== serviceName) return refused(`the Secret names ${input.project}/${input.serviceName}, the spec ${project}/${serviceName}`);
            const user = await deps.aiven.getServiceUser(project, serviceName, input.username, { includeSecrets: true });
            const [service, ca] = await Promise.all([deps.aiven.getService(project, serviceName), projectCa(deps, project)]);
            await writeSecret(deps, input, existing, openSearchAnnotations(input.username, serviceName, project), openSearchSecretData(user, openSearchAddresses(service)), ca);
            break;
          }
          case 'valkey': {
            const project = deps.mainProject;
            const instance = entry.instance ?? '';
            const serviceName = await findRunningInstance(deps.kube, 'valkeys', namespace, [valkeyServiceName(namespace, instance)]);
            if (input.project !== project || input.serviceName !== serviceName) return refused(`the Secret names ${input.project}/${input.serviceName}, the spec ${project}/${serviceName}`);
            const user = await deps.aiven.getServiceUser(project, serviceName, input.username, { includeSecrets: true });
            const [service, ca] = await Promise.all([deps.aiven.getService(project, serviceName), projectCa(deps, project)]);
            await writeSecret(deps, input, existing, valkeyAnnotations(instance, serviceName, input.username, project), valkeySecretData(instance, user, valkeyAddresses(service)), ca);
            break;
          }
        }
        deps.log.info({ aiven_application: name, team: namespace, secret_name: entry.secretName, handler: entry.service }, 'repaired Secret in place with its own user');
        return { secretName: entry.secretName, repaired: true };
      });
    },
  };
}
