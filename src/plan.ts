// Which Secrets an AivenApplication asks for, and what makes its spec
// impossible to act on. Pure, so the workflow's activities and `aivenator plan` agree.
import type { SecretEntry, SpecProblem } from './model/types';
import { AivenApplicationSpec } from './kube/aivenapp-types';
import { secretNameError } from './naming/names';

export function secretEntries(spec: AivenApplicationSpec): SecretEntry[] {
  const entries: SecretEntry[] = [];
  if (spec.kafka?.pool) entries.push({ service: 'kafka', secretName: spec.kafka.secretName ?? '', pool: spec.kafka.pool });
  if (spec.openSearch?.instance) {
    entries.push({ service: 'opensearch', secretName: spec.openSearch.secretName ?? '', instance: spec.openSearch.instance, access: spec.openSearch.access });
  }
  for (const valkey of spec.valkey ?? []) {
    entries.push({ service: 'valkey', secretName: valkey.secretName ?? '', instance: valkey.instance ?? '', access: valkey.access });
  }
  return entries;
}

export function specProblems(spec: AivenApplicationSpec, entries: SecretEntry[], allowedPools: string[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const what = entry.service === 'kafka' ? 'kafka' : `${entry.service} instance "${entry.instance}"`;
    const nameError = secretNameError(entry.secretName);
    if (nameError) problems.push({ reason: 'InvalidSecretName', message: `${what}: secretName ${nameError}` });
    const other = seen.get(entry.secretName);
    if (other && !nameError) problems.push({ reason: 'DuplicateSecretName', message: `${what} and ${other} both use Secret ${entry.secretName}` });
    seen.set(entry.secretName, what);
    if (entry.service === 'valkey' && !entry.instance) problems.push({ reason: 'MissingInstance', message: 'valkey entry without instance' });
  }
  if (spec.kafka?.pool && !allowedPools.includes(spec.kafka.pool)) {
    problems.push({ reason: 'PoolNotAllowed', message: `Kafka pool "${spec.kafka.pool}" is not one of the allowed pools: ${allowedPools.join(', ')}` });
  }
  return problems;
}
