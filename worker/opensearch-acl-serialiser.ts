// Sends each OpenSearch ACL change to its service's actor workflow by
// update-with-start and waits for the result, so the changes of one service
// are applied one at a time across every worker replica (Aiven's ACL config
// has no compare-and-set).
import { ApplicationFailure } from '@temporalio/common';
import { Client, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import type { OpenSearchAclSerialiser } from '../activities/opensearch-acl';
import type { OpenSearchAclChange, OpenSearchAclChangeResult } from '../src/model/types';
import { applyAclChangeUpdate, openSearchAclWorkflow, openSearchAclWorkflowId } from '../workflows/opensearch-acl';

export class TemporalOpenSearchAclSerialiser implements OpenSearchAclSerialiser {
  /** taskQueue: the workflow task queue (the actor's local activity runs there). */
  constructor(private readonly client: Client, private readonly taskQueue: string) {}

  async apply(change: OpenSearchAclChange): Promise<OpenSearchAclChangeResult> {
    const startWorkflowOperation = new WithStartWorkflowOperation(openSearchAclWorkflow, {
      workflowId: openSearchAclWorkflowId(change.project, change.service),
      taskQueue: this.taskQueue,
      args: [{ project: change.project, service: change.service }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      return await this.client.workflow.executeUpdateWithStart(applyAclChangeUpdate, { args: [change], startWorkflowOperation });
    } catch (err) {
      // The change itself failed: keep its type and retryability for the calling activity.
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        const cause = err.cause;
        throw ApplicationFailure.create({ type: cause.type ?? undefined, message: cause.message, nonRetryable: cause.nonRetryable ?? undefined, details: cause.details as unknown[] | undefined });
      }
      // Anything else (the actor ended as we called, Temporal unreachable) is worth a retry.
      throw err;
    }
  }
}
