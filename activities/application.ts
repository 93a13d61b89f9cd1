// Activities on the AivenApplication itself: read it, delete it when expired,
// and write the outcome of a pass (status, conditions, events).
import { AivenApplication, AivenApplicationSpec } from '../src/kube/aivenapp-types';
import { deleteAivenApp, getAivenApp, patchAivenAppStatus } from '../src/kube/aivenapps';
import { EventSpec } from '../src/kube/events';
import { readSecret } from '../src/kube/secrets';
import { nextStatus } from '../src/kube/status';
import { baseSecretMetadata } from '../src/handlers/secret-meta';
import { specHash } from '../src/naming/spec-hash';
import { secretEntries, specProblems } from '../src/plan';
import { ActivityDeps, DEFAULT_REPLACED_USER_GRACE_MS, DEFAULT_REPLACED_USER_RECHECK_MS } from './deps';
import { emitEvent } from './events';
import { withFailures } from './failures';
import type { AppRef, AppSnapshot, CapturedSecretUsers, FinishPassInput, FinishPassSummary } from '../src/model/types';
import { secretServiceUsers } from '../src/janitor/user-refs';

export function applicationActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const appEvent = (app: AppRef & { uid: string }, event: EventSpec) =>
    emitEvent(deps, { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', namespace: app.namespace, name: app.name, uid: app.uid }, event);

  return {
    async loadApplication(ref: AppRef): Promise<AppSnapshot | null> {
      return withFailures('getAivenApplication', async () => {
        const app = await getAivenApp(deps.kube, ref.namespace, ref.name);
        if (!app || app.metadata.deletionTimestamp) return null;
        return snapshot(deps, app);
      });
    },

    async expireApplication(app: AppRef & { uid: string; expiresAt: string }): Promise<void> {
      return withFailures('deleteAivenApplication', async () => {
        const deleted = await deleteAivenApp(deps.kube, app.namespace, app.name, app.uid);
        if (!deleted) return;
        deps.log.info({ aiven_application: app.name, team: app.namespace, expires_at: app.expiresAt }, 'deleted expired application');
        await appEvent(app, { reason: 'Expired', note: `expiresAt ${app.expiresAt} has passed; the AivenApplication was deleted`, action: 'Delete' });
      });
    },

    async finishPass({ app, outcome, passStartedAt }: FinishPassInput): Promise<FinishPassSummary> {
      return withFailures('updateStatus', async () => {
        if (outcome.kind !== 'up-to-date') {
          const seconds = passStartedAt ? (now().getTime() - Date.parse(passStartedAt)) / 1000 : 0;
          deps.metrics?.passFinished(outcome.kind === 'synced' ? 'RolloutComplete' : 'RolloutFailed', outcome.kind === 'synced' ? outcome.syncReason : outcome.reason, seconds);
          if (outcome.kind === 'failed' && outcome.transient) deps.metrics?.passRequeued?.('RolloutFailed');
        }
        const current = await getAivenApp(deps.kube, app.namespace, app.name);
        if (!current || current.metadata.uid !== app.uid) return { status: 'skipped', generation: app.generation }; // deleted or replaced meanwhile
        const status = nextStatus({ current: current.status, generation: app.generation, specHash: app.specHash, deprecatedSecretName: app.deprecatedSecretName, outcome, now: now() });
        await patchAivenAppStatus(deps.kube, app.namespace, app.name, status);
        deps.metrics?.kubernetesWritten(app.namespace, 'AivenApplication/status');
        // Like Go, every reconcile counts, labelled with the state the application is left in.
        deps.metrics?.applicationProcessed?.(status.synchronizationState ?? current.status?.synchronizationState ?? 'unknown');
        const alreadyDeprecated = current.status?.conditions?.some((c) => c.type === 'Deprecated' && c.status === 'True' && c.reason === 'DeprecatedField');
        if (app.deprecatedSecretName && !alreadyDeprecated) {
          // Go's reason; it warns once, when the condition is first set.
          await appEvent(app, { reason: 'DeprecatedSpecSecretName', note: 'spec.secretName is deprecated; migrate to spec.{kafka,valkey,openSearch}.secretName', type: 'Warning' });
        }
        switch (outcome.kind) {
          case 'synced': {
            const secrets = outcome.results.map((r) => r.secretName).join(', ');
            await appEvent(app, { reason: outcome.syncReason, note: `synchronizing generation ${app.generation}`, action: 'Synchronize' });
            await appEvent(app, { reason: 'Synchronized', note: `Secrets synchronized: ${secrets || 'none'}`, action: 'Synchronize' });
            return { status: 'RolloutComplete', generation: app.generation, syncReason: outcome.syncReason, secrets: outcome.results.length };
          }
          case 'up-to-date':
            await appEvent(app, { reason: 'UpToDate', note: 'spec hash unchanged and all Secrets exist', action: 'Check' });
            return { status: 'UpToDate', generation: app.generation };
          case 'failed':
            await appEvent(app, { reason: 'SyncFailed', note: `${outcome.reason}: ${outcome.message}`, type: 'Warning', action: 'Synchronize' });
            return { status: 'RolloutFailed', generation: app.generation, reason: outcome.reason, message: outcome.message, transient: outcome.transient };
        }
      });
    },
  };
}

/** The Secret names Go's NeedsSynchronization checks: every non-empty secretName of kafka, valkey[] and openSearch. */
export function goCheckedSecretNames(spec: AivenApplicationSpec): string[] {
  const names = [spec.kafka?.secretName, ...(spec.valkey ?? []).map((v) => v.secretName), spec.openSearch?.secretName];
  return names.filter((n): n is string => typeof n === 'string' && n !== '');
}

async function snapshot(deps: ActivityDeps, app: AivenApplication): Promise<AppSnapshot> {
  const spec = app.spec ?? {};
  const entries = secretEntries(spec);
  const missingSecrets: string[] = [];
  const users: CapturedSecretUsers['users'] = {};
  for (const entry of entries) {
    if (!entry.secretName) continue;
    const secret = await readSecret(deps.kube, app.metadata.namespace, entry.secretName);
    if (secret) users[entry.secretName] = secretServiceUsers(secret.metadata?.annotations).users;
    else missingSecrets.push(entry.secretName);
  }
  // Go's NeedsSynchronization also looks at Secrets named by entries it would not act on
  // (kafka.secretName without a pool, openSearch without an instance): a missing one asks for a sync.
  for (const name of goCheckedSecretNames(spec)) {
    if (entries.some((e) => e.secretName === name) || missingSecrets.includes(name)) continue;
    if (!(await readSecret(deps.kube, app.metadata.namespace, name))) missingSecrets.push(name);
  }
  const meta = baseSecretMetadata({
    name: app.metadata.name,
    namespace: app.metadata.namespace,
    labels: app.metadata.labels,
    annotations: app.metadata.annotations,
    spec,
  });
  return {
    namespace: app.metadata.namespace,
    name: app.metadata.name,
    uid: app.metadata.uid ?? '',
    generation: app.metadata.generation ?? 0,
    specHash: specHash(spec),
    storedHash: app.status?.synchronizationHash || undefined,
    expiresAt: spec.expiresAt,
    protected: spec.protected === true,
    deprecatedSecretName: Boolean(spec.secretName),
    entries,
    missingSecrets,
    problems: specProblems(spec, entries, deps.projects),
    secretContext: { labels: meta.labels, annotations: meta.annotations },
    driftIntervalMs: deps.driftIntervalMs ?? 0,
    currentUsers: {
      users,
      replacedUserGraceMs: deps.replacedUserGraceMs ?? DEFAULT_REPLACED_USER_GRACE_MS,
      replacedUserMaxAgeMs: deps.replacedUserMaxAgeMs ?? 0,
      replacedUserRecheckMs: deps.replacedUserRecheckMs ?? DEFAULT_REPLACED_USER_RECHECK_MS,
    },
  };
}
