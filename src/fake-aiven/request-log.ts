// Log of /v1 requests: method, path, operation, status, timing and the name of
// the service user concerned. Never bodies, headers or query values, so it can
// never hold a secret.

import type { OperationName, RequestCounters, RequestLogEntry, RequestLogSnapshot } from './types';

/** Oldest entries are dropped beyond this; counters keep counting. */
const MAX_ENTRIES = 20000;

function emptyCounters(): RequestCounters {
  return { total: 0, byOperation: {}, byStatus: {}, byOperationStatus: {} };
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private counters = emptyCounters();
  private seq = 0;

  record(entry: Omit<RequestLogEntry, 'seq'>): void {
    this.seq++;
    this.entries.push({ seq: this.seq, ...entry });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    const c = this.counters;
    const status = String(entry.status);
    c.total++;
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    if (entry.operation) {
      const op: OperationName = entry.operation;
      c.byOperation[op] = (c.byOperation[op] ?? 0) + 1;
      const perOp = (c.byOperationStatus[op] ??= {});
      perOp[status] = (perOp[status] ?? 0) + 1;
    }
  }

  /** Entries with seq greater than `sinceSeq` (all by default). */
  snapshot(sinceSeq = 0): RequestLogSnapshot {
    return {
      entries: this.entries.filter((e) => e.seq > sinceSeq).map((e) => ({ ...e })),
      counters: structuredClone(this.counters),
    };
  }

  counts(): RequestCounters {
    return structuredClone(this.counters);
  }

  /** Clears entries and counters; seq keeps increasing so `since` cursors stay valid. */
  reset(): void {
    this.entries = [];
    this.counters = emptyCounters();
  }
}
