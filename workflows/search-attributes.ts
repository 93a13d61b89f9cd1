// Keeps the application's search attributes current, so the Temporal UI can
// find every run of one application or every failing one.
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { AppRef } from '../src/model/types';

export type SyncState = 'Pending' | 'RolloutComplete' | 'RolloutFailed';

export const AppNamespaceKey = defineSearchAttributeKey('AivenAppNamespace', SearchAttributeType.KEYWORD);
export const AppNameKey = defineSearchAttributeKey('AivenAppName', SearchAttributeType.KEYWORD);
export const TeamKey = defineSearchAttributeKey('AivenTeam', SearchAttributeType.KEYWORD);
export const SyncStateKey = defineSearchAttributeKey('AivenSyncState', SearchAttributeType.KEYWORD);

export function upsertAppSearchAttributes(app: AppRef, syncState: SyncState): void {
  upsertSearchAttributes([
    { key: AppNamespaceKey, value: app.namespace },
    { key: AppNameKey, value: app.name },
    // In NAIS a team owns its namespace; the Secrets' `team` label is the namespace too.
    { key: TeamKey, value: app.namespace },
    { key: SyncStateKey, value: syncState },
  ]);
}
