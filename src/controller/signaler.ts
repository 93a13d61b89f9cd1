// Tells an application's actor that something changed: signal-with-start, so
// the first event starts the actor and later ones only signal it. The workflow
// id makes this safe from several controller replicas at once.
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { aivenApplicationWorkflow, changedSignal } from '../../workflows';
import { appWorkflowId } from '../../workflows/ids';
import { AppNameKey, AppNamespaceKey, SyncStateKey, TeamKey } from '../../workflows/search-attributes';

export class AppSignaler {
  constructor(private readonly client: Client, private readonly taskQueue: string) {}

  async changed(namespace: string, name: string, reason: string): Promise<void> {
    await this.client.workflow.signalWithStart(aivenApplicationWorkflow, {
      workflowId: appWorkflowId(namespace, name),
      taskQueue: this.taskQueue,
      args: [{ namespace, name }],
      signal: changedSignal,
      signalArgs: [{ reason }],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: AppNamespaceKey, value: namespace },
        { key: AppNameKey, value: name },
        { key: TeamKey, value: namespace },
        { key: SyncStateKey, value: 'Pending' },
      ]),
    });
  }

  /**
   * For an application whose status already shows it converged (a restarted
   * controller lists every one): a running actor is left alone, which spares a
   * pass per application; a missing or ended one is started to take it over.
   */
  async startIfNotRunning(namespace: string, name: string): Promise<void> {
    try {
      const { status } = await this.client.workflow.getHandle(appWorkflowId(namespace, name)).describe();
      if (status.name === 'RUNNING') return;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    await this.changed(namespace, name, 'Created');
  }

  /** A deleted application's actor is told, not started: it reads the application, finds it gone and ends. */
  async deleted(namespace: string, name: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(appWorkflowId(namespace, name)).signal(changedSignal, { reason: 'Deleted' });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
}
