// Every workflow the worker registers.
export { aivenApplicationWorkflow, changedSignal, stateQuery } from './application';
export type { ActorState, ApplicationWorkflowInput, ChangeNotice } from './application';
