// Every workflow the worker registers.
export { aivenApplicationWorkflow, changedSignal, stateQuery } from './application';
export type { ActorState, ApplicationWorkflowInput, ChangeNotice } from './application';
export { secretFinalizerWorkflow, skipCleanupSignal, secretChangedSignal, finalizerStateQuery } from './secret-finalizer';
export type { FinalizerState, SecretFinalizerInput, SkipCleanup } from './secret-finalizer';
export { janitorSweepWorkflow } from './janitor';
export type { JanitorSweepWorkflowInput } from './janitor';
export { releaseServiceUsersWorkflow, retirementQuery } from './compensation';
export type { ReleaseUsersInput, ReleaseUsersResult, RetirementState } from './compensation';
export { openSearchAclWorkflow, aclChangeSignal, aclChangeStatusQuery, openSearchAclWorkflowId } from './opensearch-acl';
export type { OpenSearchAclWorkflowInput, QueuedAclChange, AclChangeStatus } from './opensearch-acl';
