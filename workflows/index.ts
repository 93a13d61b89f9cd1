// Every workflow the worker registers.
export { aivenApplicationWorkflow, changedSignal, stateQuery } from './application';
