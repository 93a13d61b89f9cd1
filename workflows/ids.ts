// Workflow ids are derived from what they act on, so every controller replica
// addresses the same actor.
export function appWorkflowId(namespace: string, name: string): string {
  return `aivenapp/${namespace}/${name}`;
}

export function parseAppWorkflowId(id: string): { namespace: string; name: string } | undefined {
  const m = /^aivenapp\/([^/]+)\/([^/]+)$/.exec(id);
  return m ? { namespace: m[1], name: m[2] } : undefined;
}

/** The task queue of the activities that call Aiven (see workflows/activity-proxy.ts). */
export function aivenTaskQueue(taskQueue: string): string {
  return `${taskQueue}-aiven`;
}
