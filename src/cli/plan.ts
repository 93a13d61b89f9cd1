// `aivenator plan`: what AivenApplication manifests would make Aivenator do,
// computed with the same pure code the activities run (src/plan.ts, the
// handlers' key lists and src/naming), without touching Aiven or a cluster.
import * as k8s from '@kubernetes/client-node';
import type { SecretEntry, SpecProblem } from '../model/types';
import { KAFKA_SECRET_KEYS, kafkaServiceCandidates } from '../handlers/kafka';
import { OPENSEARCH_SECRET_KEYS, openSearchAccess, openSearchServiceCandidates } from '../handlers/opensearch';
import { AIVEN_CA_KEY, AIVEN_SECRET_UPDATED_KEY, baseSecretMetadata } from '../handlers/secret-meta';
import { valkeyAclCategories, valkeySecretKeys, valkeyServiceName } from '../handlers/valkey';
import type { AivenApplication, AivenApplicationSpec } from '../kube/aivenapp-types';
import { MAX_SERVICE_USER_NAME_LENGTH, kafkaServiceUserName, openSearchUserName, valkeyUserName } from '../naming/names';
import { specHash } from '../naming/spec-hash';
import { secretEntries, specProblems } from '../plan';

export interface PlanOptions {
  /** Allowed Kafka pools (AIVENATOR_PROJECTS). */
  projects: string[];
  /** Project for OpenSearch and Valkey (AIVENATOR_MAIN_PROJECT). */
  mainProject: string;
  /** Namespace for manifests without one. */
  defaultNamespace: string;
  /** Generation to name users with; else the manifest's; else 1 (what a new object gets). */
  generation?: number;
}

export interface PlannedSecret {
  secretName: string;
  service: SecretEntry['service'];
  project: string;
  /** Aiven service names tried in order (the first that exists is used). */
  serviceNames: string[];
  username: string;
  access?: string;
  /** Keys always written. */
  keys: string[];
  /** Keys written only when the service has them (Valkey replica). */
  conditionalKeys: string[];
  /** Valkey ACL categories, OpenSearch index rules. */
  grants: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AppPlan {
  namespace: string;
  name: string;
  generation: number;
  generationAssumed: boolean;
  specHash: string;
  secrets: PlannedSecret[];
  problems: SpecProblem[];
  warnings: string[];
}

export class PlanInputError extends Error {
  override name = 'PlanInputError';
}

/** AivenApplications in a (multi-document) YAML or JSON text; other kinds are skipped. */
export function parseManifests(text: string): { apps: AivenApplication[]; skipped: string[] } {
  let docs: unknown[];
  try {
    docs = k8s.loadAllYaml(text) as unknown[];
  } catch (err) {
    throw new PlanInputError(`not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const apps: AivenApplication[] = [];
  const skipped: string[] = [];
  const visit = (doc: unknown) => {
    if (!doc || typeof doc !== 'object') return;
    const obj = doc as { kind?: string; apiVersion?: string; items?: unknown[]; metadata?: { name?: string } };
    if (obj.kind === 'List' && Array.isArray(obj.items)) return obj.items.forEach(visit);
    if (obj.kind === 'AivenApplication' && String(obj.apiVersion ?? '').startsWith('aiven.nais.io/')) {
      if (!obj.metadata?.name) throw new PlanInputError('an AivenApplication without metadata.name');
      apps.push(doc as AivenApplication);
    } else {
      skipped.push(`${obj.kind ?? '?'}/${obj.metadata?.name ?? '?'}`);
    }
  };
  docs.forEach(visit);
  return { apps, skipped };
}

export function planApp(app: AivenApplication, opts: PlanOptions): AppPlan {
  const spec: AivenApplicationSpec = app.spec ?? {};
  const namespace = app.metadata.namespace ?? opts.defaultNamespace;
  const name = app.metadata.name;
  const generationAssumed = opts.generation === undefined && app.metadata.generation === undefined;
  const generation = opts.generation ?? app.metadata.generation ?? 1;
  const entries = secretEntries(spec);
  const warnings: string[] = [];
  if (spec.secretName) warnings.push('spec.secretName is deprecated (condition Deprecated=True and a Warning event)');
  if (spec.expiresAt) {
    const at = Date.parse(spec.expiresAt);
    warnings.push(Number.isNaN(at) ? `expiresAt "${spec.expiresAt}" is not a date` : `the AivenApplication is deleted at ${spec.expiresAt}${at <= Date.now() ? ' (already past: it would be deleted now)' : ''}`);
  }
  if (entries.length === 0) warnings.push('no kafka, openSearch or valkey entry: nothing to provision');

  let meta: { labels: Record<string, string>; annotations: Record<string, string> } = { labels: {}, annotations: {} };
  try {
    meta = baseSecretMetadata({ name, namespace, labels: app.metadata.labels, annotations: app.metadata.annotations, spec });
  } catch (err) {
    warnings.push(err instanceof Error ? err.message : String(err));
  }
  const common = [AIVEN_CA_KEY, AIVEN_SECRET_UPDATED_KEY];
  const secrets = entries.map((entry): PlannedSecret => {
    const base = { secretName: entry.secretName, service: entry.service, labels: meta.labels, annotations: { ...meta.annotations } };
    switch (entry.service) {
      case 'kafka': {
        const pool = entry.pool ?? '';
        const username = kafkaServiceUserName(namespace, name, generation);
        return {
          ...base, project: pool, serviceNames: kafkaServiceCandidates(pool), username,
          keys: sorted([...common, ...KAFKA_SECRET_KEYS]), conditionalKeys: [], grants: [`topic ACLs for ${username.replace(/_[^_]*$/, '_*')} come from kafkarator`],
          annotations: { ...base.annotations, 'kafka.aiven.nais.io/serviceUser': username, 'kafka.aiven.nais.io/pool': pool },
        };
      }
      case 'opensearch': {
        const username = openSearchUserName(namespace, entry.access, generation, name);
        const access = openSearchAccess(entry.access);
        const serviceNames = openSearchServiceCandidates(namespace, entry.instance ?? '');
        return {
          ...base, project: opts.mainProject, serviceNames, username, access,
          keys: sorted([...common, ...OPENSEARCH_SECRET_KEYS]), conditionalKeys: [], grants: [`index _* ${access}`, `index * ${access}`],
          annotations: {
            ...base.annotations,
            'opensearch.aiven.nais.io/serviceUser': username,
            'opensearch.aiven.nais.io/serviceName': serviceNames[0],
            'opensearch.aiven.nais.io/project': opts.mainProject,
          },
        };
      }
      case 'valkey': {
        const instance = entry.instance ?? '';
        const username = valkeyUserName(name, entry.access, generation);
        const plain = valkeySecretKeys(instance, false);
        const serviceName = valkeyServiceName(namespace, instance);
        return {
          ...base, project: opts.mainProject, serviceNames: [serviceName], username, access: entry.access || 'read',
          keys: sorted([...common, ...plain]),
          conditionalKeys: valkeySecretKeys(instance, true).filter((k) => !plain.includes(k)),
          grants: [...valkeyAclCategories(entry.access), '+info', '+cluster|slots', 'keys *', 'channels *'],
          annotations: {
            ...base.annotations,
            [`${instance.replace(/[^a-z0-9]/g, '-')}.valkey.aiven.nais.io/serviceUser`]: username,
            [`${instance.replace(/[^a-z0-9]/g, '-')}.valkey.aiven.nais.io/serviceName`]: serviceName,
            'valkey.aiven.nais.io/project': opts.mainProject,
          },
        };
      }
    }
  });
  return {
    namespace,
    name,
    generation,
    generationAssumed,
    specHash: specHash(spec),
    secrets,
    problems: [...specProblems(spec, entries, opts.projects), ...aivenLimitProblems(secrets, warnings)],
    warnings,
  };
}

/** Access values the CRD documents; anything else is not a grant. */
export const ACCESS_VALUES = ['read', 'write', 'readwrite', 'admin'] as const;

/**
 * What Aiven itself would refuse, so the real pass would end RolloutFailed
 * with an HTTP 400: a user name over 64 characters, an OpenSearch ACL rule
 * with a permission outside Aiven's enum. A Valkey access outside the list
 * is not refused: the pass grants read, as the Go aivenator does (a warning).
 */
function aivenLimitProblems(secrets: PlannedSecret[], warnings: string[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const s of secrets) {
    const what = `${s.service} Secret ${s.secretName || '(no name)'}`;
    if (s.username.length > MAX_SERVICE_USER_NAME_LENGTH) {
      problems.push({
        reason: 'UserNameTooLong',
        message: `${what}: user name "${s.username}" has ${s.username.length} characters; Aiven allows at most ${MAX_SERVICE_USER_NAME_LENGTH} (the create would fail with HTTP 400)`,
      });
    }
    if (s.access === undefined || (ACCESS_VALUES as readonly string[]).includes(s.access)) continue;
    if (s.service === 'opensearch') {
      problems.push({ reason: 'InvalidAccess', message: `${what}: access "${s.access}" is not one of ${ACCESS_VALUES.join(', ')}; Aiven would refuse the ACL rule (HTTP 400)` });
      s.grants = [];
    } else {
      warnings.push(`${what}: access "${s.access}" is not one of ${ACCESS_VALUES.join(', ')}; it is treated as read`);
      s.access = 'read';
    }
  }
  return problems;
}

export function renderPlan(plans: AppPlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    const state = plan.problems.length > 0 ? 'would FAIL (RolloutFailed)' : `${plan.secrets.length} Secret(s)`;
    lines.push(`AivenApplication ${plan.namespace}/${plan.name}: ${state}`);
    lines.push(`  spec hash:  ${plan.specHash}`);
    lines.push(`  generation: ${plan.generation}${plan.generationAssumed ? ' (assumed: a new object; user names change with every spec change)' : ''}`);
    for (const problem of plan.problems) lines.push(`  problem:    ${problem.reason}: ${problem.message}`);
    for (const warning of plan.warnings) lines.push(`  warning:    ${warning}`);
    for (const s of plan.secrets) {
      lines.push(`  Secret ${s.secretName || '(no name)'} (${s.service})`);
      lines.push(`    user:     ${s.username} in ${s.project}/${s.serviceNames.join(' or ')}${s.access ? `, access ${s.access}` : ''}`);
      lines.push(`    grants:   ${s.grants.join(', ') || '(none)'}`);
      lines.push(`    keys:     ${s.keys.join(', ')}`);
      if (s.conditionalKeys.length > 0) lines.push(`    if the service has a replica: ${s.conditionalKeys.join(', ')}`);
      const handlerAnnotations = Object.entries(s.annotations).filter(([k]) => /aiven\.nais\.io\/(serviceUser|serviceName|pool|project)$/.test(k));
      lines.push(`    annotations: ${handlerAnnotations.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

function sorted(keys: readonly string[]): string[] {
  return [...keys].sort();
}
