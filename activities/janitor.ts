// The janitor's sweep: list the managed Secrets and everything that may use
// them, decide (src/janitor/in-use.ts), delete the unused ones. A failing list
// call skips the whole sweep (logged, an event for the per-app pass, a metric):
// nothing is deleted on partial information and nothing is thrown.
import { aivenatorSecretSelector } from '../src/handlers/secret-meta';
import { JanitorDecision, UsageIndex, countKept, decideSecret } from '../src/janitor/in-use';
import { describeKubeError } from '../src/kube/clients';
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

      let secrets;
      let usage: UsageIndex;
      try {
        secrets = await listSecretMetadata(deps.kube, aivenatorSecretSelector(input.app?.name), namespace).catch((err) => {
          throw new InventoryError('secrets', err);
        });
        // Nothing to decide about: no need to list the rest.
        usage = secrets.length === 0 ? new UsageIndex() : await buildUsage(deps.kube, namespace);
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

      const decisions: JanitorDecision[] = [];
      for (const secret of secrets) {
        const meta = secret.metadata ?? {};
        const decision = decideSecret(secret, usage, now);
        decisions.push(decision);
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
