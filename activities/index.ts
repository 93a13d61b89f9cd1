// All activities, built over the injected dependencies.
import { applicationActivities } from './application';
import { credentialHealthActivities } from './credential-health';
import { ActivityDeps } from './deps';
import { finalizerActivities } from './finalizer';
import { janitorActivities } from './janitor';
import { kafkaActivities } from './kafka';
import { openSearchActivities } from './opensearch';
import { openSearchAclActivities } from './opensearch-acl';
import { repairActivities } from './repair';
import { retirementActivities } from './retirement';
import type { AivenatorActivities } from './types';
import { valkeyActivities } from './valkey';

export function createActivities(deps: ActivityDeps): AivenatorActivities {
  return {
    ...applicationActivities(deps),
    ...kafkaActivities(deps),
    ...openSearchActivities(deps),
    ...openSearchAclActivities(deps),
    ...valkeyActivities(deps),
    ...finalizerActivities(deps),
    ...janitorActivities(deps),
    ...credentialHealthActivities(deps),
    ...repairActivities(deps),
    ...retirementActivities(deps),
  };
}

export { createCaches } from './deps';
export type { ActivityDeps } from './deps';
