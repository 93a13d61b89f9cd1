// Credential health inside the actor: on a jittered interval, check that the
// Secrets still carry their keys and their Aiven users still exist (drift),
// and take up Kafka certificates Aiven has renewed. Reads only, unless
// something needs repair.
import type { AppSnapshot } from '../src/model/types';
import { proxyAivenatorActivities } from './activity-proxy';

export interface HealthRecord {
  at: string;
  drift: string[];
  renewed: string[];
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
    return { drifted: report.findings.length > 0, record };
  } catch (err) {
    // A failed check is tried again at the next interval; the actor carries on.
    record.error = err instanceof Error ? err.message : String(err);
    return { drifted: false, record };
  }
}
