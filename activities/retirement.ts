// Usage-aware retirement of users replaced in a Secret: which pods may still
// hold the Secret's old contents. Reads only.
import { podsHoldingOldContents } from '../src/kube/pod-usage';
import type { OldCredentialHolders, OldCredentialHoldersInput } from '../src/model/types';
import { ActivityDeps } from './deps';
import { withFailures } from './failures';

/** Names kept in workflow history and the state query; the count is always exact. */
const MAX_LISTED = 10;

export function retirementActivities(deps: ActivityDeps) {
  return {
    async findOldCredentialHolders(input: OldCredentialHoldersInput): Promise<OldCredentialHolders> {
      return withFailures('listPods', async () => {
        const holders = await podsHoldingOldContents(deps.kube, input.namespace, input.secretNames, new Date(input.rewrittenAt));
        return { count: holders.length, pods: holders.slice(0, MAX_LISTED) };
      });
    },
  };
}
