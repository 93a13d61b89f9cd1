// Custom search attributes that make every run of one application (or every
// failing one) findable in the Temporal UI and with `temporal workflow list --query`.
export const SEARCH_ATTRIBUTES = {
  AivenAppNamespace: 'Keyword',
  AivenAppName: 'Keyword',
  AivenTeam: 'Keyword',
  AivenSyncState: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
