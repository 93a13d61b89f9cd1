// Credential health inside the actor: on a jittered interval, check that the
// Secrets still carry their keys and their Aiven users still exist (drift),
// and take up Kafka certificates Aiven has renewed. Reads only, unless
// something needs repair — and then only what is broken: a Secret that lost
// keys is filled in with the user it names (same user, same password); a
// Secret whose user is gone (or names none) is synchronised alone. Other
// Secrets of the application are not touched; a missing Secret is left to the
// normal pass (the reference's MissingSecret).
import * as wf from '@temporalio/workflow';
import type { DriftFinding } from '../src/model/health';
import type { AppSnapshot, SecretEntry } from '../src/model/types';
import { proxyAivenatorActivities } from './activity-proxy';

/** Before it, any drift ran a full pass over every entry of the application. */
export const DRIFT_REPAIR_PATCH = 'drift-repairs-only-what-is-broken';

export interface HealthRecord {
  at: string;
  drift: string[];
  renewed: string[];
  /** What was repaired, per Secret, without a pass. */
  repaired?: string[];
  earliestCertExpiry?: string;
  error?: string;
}

const activities = proxyAivenatorActivities({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3 },
});

/** The next check: the interval with ±10 % jitter, so a fleet of actors does not check at once. */
export function nextHealthCheckAt(intervalMs: number): number | undefined {
  if (!intervalMs) return undefined;
  return Date.now() + Math.round(intervalMs * (0.9 + 0.2 * Math.random()));
}

/** Returns whether drift was found; renewals are handled here. */
export async function checkHealth(app: AppSnapshot): Promise<{ drifted: boolean; record: HealthRecord }> {
  const record: HealthRecord = { at: new Date().toISOString(), drift: [], renewed: [] };
  try {
    const appRef = { namespace: app.namespace, name: app.name, uid: app.uid };
    const report = await activities.checkCredentials({ app: appRef, entries: app.entries });
    record.drift = report.findings.map((f) => `${f.secretName}: ${f.kind}`);
    record.earliestCertExpiry = report.earliestCertExpiry;
    for (const renewal of report.renewals) {
      const entry = app.entries.find((e) => e.secretName === renewal.secretName);
      if (!entry) continue;
      await activities.renewKafkaCertificate({
        app: { ...appRef, generation: app.generation },
        entry,
        secretContext: app.secretContext,
        username: renewal.username,
      });
      record.renewed.push(`${renewal.secretName}: ${renewal.username}`);
    }
    if (report.findings.length === 0) return { drifted: false, record };
    if (!wf.patched(DRIFT_REPAIR_PATCH)) return { drifted: true, record };
    return { drifted: await repair(app, report.findings, record), record };
  } catch (err) {
    // A failed check is tried again at the next interval; the actor carries on.
    record.error = err instanceof Error ? err.message : String(err);
    return { drifted: false, record };
  }
}

/** Repairs Secret by Secret; returns whether a full pass is still needed (a missing Secret, or a repair that failed). */
async function repair(app: AppSnapshot, findings: DriftFinding[], record: HealthRecord): Promise<boolean> {
  record.repaired = [];
  let needsPass = false;
  for (const entry of app.entries) {
    const mine = findings.filter((f) => f.secretName === entry.secretName);
    if (mine.length === 0) continue;
    if (mine.some((f) => f.kind === 'SecretMissing')) {
      needsPass = true;
      continue;
    }
    const input = { app: { namespace: app.namespace, name: app.name, uid: app.uid, generation: app.generation }, entry, secretContext: app.secretContext };
    try {
      const user = mine.every((f) => f.kind === 'KeysMissing') ? mine[0].user : undefined;
      if (user) {
        const result = await activities.repairSecretInPlace({ ...input, ...user });
        if (result.repaired) {
          record.repaired.push(`${entry.secretName}: keys filled in, same user ${user.username}`);
          continue;
        }
        record.repaired.push(`${entry.secretName}: not in place (${result.why ?? 'refused'})`);
      }
      const synced = await syncer(entry)(input);
      record.repaired.push(`${entry.secretName}: synchronised with user ${synced.username}`);
    } catch (err) {
      record.error = `${entry.secretName}: ${err instanceof Error ? err.message : String(err)}`;
      needsPass = true;
    }
  }
  return needsPass;
}

function syncer(entry: SecretEntry) {
  switch (entry.service) {
    case 'kafka':
      return activities.syncKafkaSecret;
    case 'opensearch':
      return activities.syncOpenSearchSecret;
    case 'valkey':
      return activities.syncValkeySecret;
  }
}
