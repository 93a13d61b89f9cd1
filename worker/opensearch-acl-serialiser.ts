// Sends each OpenSearch ACL change to its service's actor workflow
// (signal-with-start) and waits for its outcome (a query), so the changes of
// one service are applied one read-modify-write at a time across every worker
// replica (Aiven's ACL config has no compare-and-set).
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { OpenSearchAclSerialiser } from '../activities/deps';
import type { OpenSearchAclChange, OpenSearchAclChangeResult } from '../src/model/types';
import { aclChangeSignal, aclChangeStatusQuery, openSearchAclWorkflow, openSearchAclWorkflowId } from '../workflows/opensearch-acl';

const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1000;

export class TemporalOpenSearchAclSerialiser implements OpenSearchAclSerialiser {
  /** taskQueue: the workflow task queue (the actor's local activity runs there). */
  constructor(private readonly client: Client, private readonly taskQueue: string) {}

  async apply(change: OpenSearchAclChange): Promise<OpenSearchAclChangeResult> {
    const id = randomUUID();
    const started = await this.client.workflow.signalWithStart(openSearchAclWorkflow, {
      workflowId: openSearchAclWorkflowId(change.project, change.service),
      taskQueue: this.taskQueue,
      args: [{ project: change.project, service: change.service }],
      signal: aclChangeSignal,
      signalArgs: [{ id, change }],
    });
    // The run that got the signal: a later run (after this one ended idle) never saw it.
    const handle = this.client.workflow.getHandle<typeof openSearchAclWorkflow>(started.workflowId, started.signaledRunId);
    // The caller's activity timeout bounds this wait; its retry sends the change again.
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, MAX_POLL_MS)) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      const status = await handle.query(aclChangeStatusQuery, id);
      if (status === undefined) throw new Error(`the ACL actor of ${change.project}/${change.service} lost change ${id}; sending it again`);
      if (status.state === 'pending') continue;
      if ('result' in status) return status.result;
      throw ApplicationFailure.create({ type: status.failure.type, message: status.failure.message, nonRetryable: status.failure.nonRetryable });
    }
  }
}
