// The janitor's sweep: find the managed Secrets and everything that may use
// them, decide (src/janitor/in-use.ts), delete the unused ones. With the
// worker's informer caches (deps.kubeCaches) the caches name the candidates
// and a live read of the namespace, coalesced per namespace, confirms them
// before anything is deleted (see src/kube/cache/kube-caches.ts for the rule);
// without them everything is listed live. A failing list call skips the whole
// sweep (logged, an event for the per-app pass, a metric): nothing is deleted
// on partial information and nothing is thrown.
import { aivenatorSecretSelector } from '../src/handlers/secret-meta';
import { JanitorDecision, SecretLike, UsageIndex, countKept, decideSecret } from '../src/janitor/in-use';
import { describeKubeError } from '../src/kube/clients';
import type { KubeCaches } from '../src/kube/cache/kube-caches';
import { deleteSecretIfUnchanged, listSecretMetadata } from '../src/kube/secret-lifecycle';
import { InventoryError, buildUsage } from '../src/kube/usage';
import { ActivityDeps } from './deps';
import { emitEvent } from './events';
import type { JanitorSweepInput, JanitorSweepResult } from '../src/model/types';

const MAX_NAMES_IN_RESULT = 50;

export function janitorActivities(deps: ActivityDeps) {
  return {
    async janitorSweep(input: JanitorSweepInput): Promise<JanitorSweepResult> {
      const now = deps.now?.() ?? new Date();
      const namespace = input.app?.namespace ?? input.namespace;
      const scope: JanitorSweepResult['scope'] = input.app ? 'app' : namespace ? 'namespace' : 'cluster';
      const log = deps.log.child({ janitor: scope, ...(namespace ? { team: namespace } : {}), ...(input.app ? { aiven_application: input.app.name } : {}) });
      const result: JanitorSweepResult = { scope, considered: 0, deleted: [], deletedCount: 0, failed: 0, terminating: 0, kept: { in_use: 0, protected: 0, 'protected-with-time-limit': 0 } };

      let secrets: JanitorSecret[];
      let decisions: JanitorDecision[];
      try {
        const found = await inventory(deps, namespace, input.app?.name);
        secrets = found.secrets;
        decisions = secrets.map((s) => decideSecret(s, found.usage, now));
        // A cache may lag: what it says is unused is confirmed by a live read before anything is deleted.
        if (found.confirm && decisions.some((d) => d.action === 'delete')) {
          const live = await found.confirm();
          decisions = decisions.map((d, i) => {
            if (d.action !== 'delete') return d;
            const confirmed = decideSecret(secrets[i], live, now);
            if (confirmed.action !== 'delete') log.info({ team: secrets[i].metadata?.namespace, secret_name: secrets[i].metadata?.name }, 'janitor kept a Secret its caches had not yet seen in use');
            return confirmed;
          });
        }
      } catch (err) {
        const what = err instanceof InventoryError ? err.what : 'the cluster';
        const cause = err instanceof InventoryError ? err.cause : err;
        result.skipped = `listing ${what} failed (${describeKubeError(cause)}); nothing was deleted`;
        log.warn({ list: what, err: describeKubeError(cause) }, 'janitor sweep skipped');
        deps.metrics?.janitorSweepSkipped?.(scope, what);
        if (input.app) {
          await emitEvent(
            deps,
            { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', namespace: input.app.namespace, name: input.app.name, uid: input.app.uid },
            { reason: 'JanitorSkipped', note: `unused Secrets were not cleaned up: ${result.skipped}`, type: 'Warning', action: 'Clean' },
          );
        }
        return result;
      }

      for (const [i, secret] of secrets.entries()) {
        const meta = secret.metadata ?? {};
        const decision = decisions[i];
        result.considered++;
        if (decision.action === 'skip') result.terminating++;
        if (decision.action !== 'delete') continue;
        const ns = meta.namespace ?? '';
        const name = meta.name ?? '';
        try {
          const outcome = await deleteSecretIfUnchanged(deps.kube, ns, name, meta.uid, meta.resourceVersion);
          if (outcome !== 'deleted') {
            log.info({ team: ns, secret_name: name, outcome }, 'janitor left a Secret that changed or vanished since it was listed');
            continue;
          }
        } catch (err) {
          result.failed++;
          log.warn({ team: ns, secret_name: name, err: describeKubeError(err) }, 'janitor could not delete a Secret');
          continue;
        }
        result.deletedCount++;
        if (result.deleted.length < MAX_NAMES_IN_RESULT) result.deleted.push(`${ns}/${name}`);
        deps.metrics?.kubernetesDeleted(ns, 'Secret');
        const why = decision.why === 'unused' ? 'nothing in the namespace uses it' : `it is protected only until ${decision.expiresAt}`;
        log.info({ team: ns, secret_name: name, why: decision.why }, 'janitor deleted an unused Secret');
        await emitEvent(deps, { apiVersion: 'v1', kind: 'Secret', namespace: ns, name, uid: meta.uid }, { reason: 'UnusedSecretDeleted', note: `deleted: ${why}`, action: 'Delete' });
      }
      result.kept = countKept(decisions);
      // The gauge describes the controller's whole scope; the per-app pass sees only a slice.
      if (scope !== 'app') deps.metrics?.secretsManaged?.(result.kept);
      log.debug({ considered: result.considered, deleted: result.deletedCount, ...result.kept }, 'janitor sweep done');
      return result;
    },
  };
}

type JanitorSecret = SecretLike & { metadata?: { uid?: string; resourceVersion?: string } };

interface Inventory {
  secrets: JanitorSecret[];
  usage: UsageIndex;
  /** A fresh, consistent usage read; absent when `usage` is already one. */
  confirm?: () => Promise<UsageIndex>;
}

async function inventory(deps: ActivityDeps, namespace: string | undefined, app: string | undefined): Promise<Inventory> {
  const caches: KubeCaches | undefined = deps.kubeCaches;
  // Caches that cannot answer (not started, or a watch failing) mean listing live, as without them.
  if (caches?.covers(namespace) && (await caches.ready())) {
    return { secrets: caches.managedSecrets(namespace, app), usage: caches.usage(namespace), confirm: () => caches.confirmUsage(namespace) };
  }
  const secrets = await listSecretMetadata(deps.kube, aivenatorSecretSelector(app), namespace).catch((err) => {
    throw new InventoryError('secrets', err);
  });
  // Nothing to decide about: no need to list the rest.
  return { secrets, usage: secrets.length === 0 ? new UsageIndex() : await buildUsage(deps.kube, namespace) };
}
