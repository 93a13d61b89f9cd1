// Every secret value the fake has ever handed out, so tests can scan logs,
// Temporal histories and events for leaks. Lives only in memory.

import type { IssuedSecret, IssuedSecretKind } from './types';

export interface SecretOwner {
  project: string;
  service: string;
  username: string;
}

export class SecretLedger {
  private readonly secrets: IssuedSecret[] = [];

  record(kind: IssuedSecretKind, owner: SecretOwner, value: string): void {
    this.secrets.push({ kind, ...owner, value, issuedAt: new Date().toISOString() });
  }

  list(): IssuedSecret[] {
    return this.secrets.map((s) => ({ ...s }));
  }

  clear(): void {
    this.secrets.length = 0;
  }
}
