// OpenSearch: the instance must be an aiven.io OpenSearch in the application's
// namespace and RUNNING; then the user, its ACL rules and the Secret.
import { openSearchAddresses, openSearchAnnotations, openSearchSecretData, openSearchServiceCandidates } from '../src/handlers/opensearch';
import { findRunningInstance } from '../src/kube/aiven-instances';
import { openSearchUserName } from '../src/naming/names';
import { ActivityDeps } from './deps';
import { handlerActivity } from './failures';
import { readTargetSecret, writeSecret } from './secret-writer';
import { getOrCreateUser, projectCa } from './service-users';
import type { SyncSecretInput, SyncSecretResult } from '../src/model/types';

export function openSearchActivities(deps: ActivityDeps) {
  return {
    async syncOpenSearchSecret(input: SyncSecretInput): Promise<SyncSecretResult> {
      return handlerActivity(deps, 'opensearch', async () => {
        const { namespace, name, generation } = input.app;
        const { instance = '', access } = input.entry;
        const project = deps.mainProject;
        const existing = await readTargetSecret(deps, input);
        const serviceName = await findRunningInstance(deps.kube, 'opensearches', namespace, openSearchServiceCandidates(namespace, instance));
        const username = openSearchUserName(namespace, access, generation, name);
        // The user first: a name Aiven refuses then costs one call, not two.
        const { user, created } = await getOrCreateUser(deps, project, serviceName, username);
        // Fresh, not cached: team-owned services change (aivenator #436).
        const [service, ca] = await Promise.all([deps.aiven.getService(project, serviceName), projectCa(deps, project)]);
        const addresses = openSearchAddresses(service);

        // Applied on every sync: users sometimes lost their ACL (reference §8.7).
        await deps.openSearchAcl.apply({ project, service: serviceName, username, op: 'grant', access });

        const write = await writeSecret(deps, input, existing, openSearchAnnotations(username, serviceName, project), openSearchSecretData(user, addresses), ca);
        return { secretName: input.entry.secretName, service: 'opensearch', serviceName, project, username, userCreated: created, ...write };
      });
    },
  };
}
