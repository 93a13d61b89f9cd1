// Credential health: does each Secret still carry its keys and does its Aiven
// user still exist (drift), and has Aiven renewed a Kafka certificate that the
// Secret must take up. Reads only, except the renewal itself.
import * as k8s from '@kubernetes/client-node';
import { ServiceUser } from '../src/aiven/types';
import { KAFKA_SECRET_KEYS, KAFKA_POOL_ANNOTATION, KAFKA_SERVICE_USER_ANNOTATION } from '../src/handlers/kafka';
import { OPEN_SEARCH_DASHBOARD_HOST, OPEN_SEARCH_DASHBOARD_PORT, OPEN_SEARCH_DASHBOARD_URI, OPENSEARCH_PROJECT_ANNOTATION, OPENSEARCH_SECRET_KEYS, OPENSEARCH_SERVICE_NAME_ANNOTATION, OPENSEARCH_SERVICE_USER_ANNOTATION } from '../src/handlers/opensearch';
import { AIVEN_CA_KEY, AIVEN_SECRET_UPDATED_KEY } from '../src/handlers/secret-meta';
import { VALKEY_PROJECT_ANNOTATION, valkeySecretKeys, valkeyServiceNameAnnotation, valkeyServiceUserAnnotation } from '../src/handlers/valkey';
import { readSecret } from '../src/kube/secrets';
import { ActivityDeps } from './deps';
import { emitEvent } from './events';
import { withFailures } from './failures';
import type { CredentialCheckInput, CredentialReport, DriftFinding, RenewalInput, RenewalResult, RenewalTarget } from '../src/model/health';
import { kafkaPool, kafkaServiceName, writeKafkaSecret } from './kafka';
import { isManagedSecret, readTargetSecret } from './secret-writer';
import type { SecretEntry } from '../src/model/types';

interface UserLocation {
  project: string;
  serviceName: string;
  username: string;
}

export function credentialHealthActivities(deps: ActivityDeps) {
  /** One service-info read per service, shared by every application that uses it. */
  const serviceUsers = (project: string, service: string): Promise<ServiceUser[]> =>
    deps.caches.serviceUsers.get(`${project}/${service}`, async () => (await deps.aiven.getService(project, service)).users ?? []);

  return {
    async checkCredentials({ app, entries }: CredentialCheckInput): Promise<CredentialReport> {
      return withFailures('checkCredentials', async () => {
        const findings: DriftFinding[] = [];
        const renewals: RenewalTarget[] = [];
        let earliest: number | undefined;
        for (const entry of entries) {
          const secret = await readSecret(deps.kube, app.namespace, entry.secretName);
          if (!secret) {
            findings.push({ secretName: entry.secretName, kind: 'SecretMissing', detail: 'the Secret does not exist' });
            continue;
          }
          if (!isManagedSecret(secret)) continue; // the sync itself reports this
          const missingKeys = requiredKeys(entry).filter((key) => secret.data?.[key] === undefined);
          const keysMissing = (user?: DriftFinding['user']): DriftFinding => ({ secretName: entry.secretName, kind: 'KeysMissing', detail: `missing keys ${missingKeys.join(', ')}`, user });
          const location = await userLocation(deps, entry, secret);
          if (!location) {
            if (missingKeys.length > 0) findings.push(keysMissing());
            findings.push({ secretName: entry.secretName, kind: 'AnnotationMissing', detail: 'no service user annotations' });
            continue;
          }
          const user = (await serviceUsers(location.project, location.serviceName)).find((u) => u.username === location.username);
          if (!user) {
            if (missingKeys.length > 0) findings.push(keysMissing());
            findings.push({ secretName: entry.secretName, kind: 'UserMissing', detail: `service user ${location.username} no longer exists in ${location.project}/${location.serviceName}` });
            continue;
          }
          if (missingKeys.length > 0) findings.push(keysMissing(location));
          if (entry.service !== 'kafka') continue;
          if (user.expiring_cert_not_valid_after_time) renewals.push({ secretName: entry.secretName, ...location });
          const notAfter = user.access_cert_not_valid_after_time ? Date.parse(user.access_cert_not_valid_after_time) : NaN;
          if (!Number.isNaN(notAfter)) earliest = Math.min(earliest ?? notAfter, notAfter);
        }
        if (earliest !== undefined) deps.metrics?.certificateExpiry?.(app.namespace, app.name, earliest / 1000);
        if (findings.length > 0) {
          for (const f of findings) deps.metrics?.driftDetected?.(f.kind);
          const note = findings.map((f) => `${f.secretName}: ${f.kind} (${f.detail})`).join('; ');
          await emitEvent(deps, { apiVersion: 'aiven.nais.io/v1', kind: 'AivenApplication', ...app }, { reason: 'DriftDetected', note, type: 'Warning', action: 'CheckDrift' });
          deps.log.warn({ aiven_application: app.name, team: app.namespace, drift: findings }, 'credential drift detected');
        }
        return { findings, renewals, earliestCertExpiry: earliest === undefined ? undefined : new Date(earliest).toISOString() };
      });
    },

    async renewKafkaCertificate(input: RenewalInput): Promise<RenewalResult> {
      return withFailures('renewKafkaCertificate', async () => {
        const existing = await readTargetSecret(deps, input);
        const pool = await kafkaPool(deps, input.entry.pool ?? '');
        const user = await deps.aiven.getServiceUser(pool.pool, pool.serviceName, input.username, { includeSecrets: true });
        await writeKafkaSecret(deps, input, existing, pool, user);
        // Acknowledge only after the new certificate is in the Secret, and only while Aiven still waits for it.
        const acknowledged = Boolean(user.expiring_cert_not_valid_after_time);
        if (acknowledged) await deps.aiven.modifyServiceUser(pool.pool, pool.serviceName, input.username, { operation: 'acknowledge-renewal' });
        deps.caches.serviceUsers.delete(`${pool.pool}/${pool.serviceName}`);
        await emitEvent(
          deps,
          { apiVersion: 'v1', kind: 'Secret', namespace: input.app.namespace, name: input.entry.secretName },
          { reason: 'CertificateRenewed', note: `Kafka certificate of ${input.username} renewed (valid until ${user.access_cert_not_valid_after_time ?? 'unknown'})`, action: 'Renew' },
        );
        return { secretName: input.entry.secretName, username: input.username, acknowledged, certNotAfter: user.access_cert_not_valid_after_time };
      });
    },
  };
}

const COMMON_KEYS = [AIVEN_CA_KEY, AIVEN_SECRET_UPDATED_KEY];

/**
 * Keys without which a Secret is broken. Shape differences are not drift:
 * OPEN_SEARCH_DASHBOARD_* came with Go's December 2025 release and Go never
 * rewrites a Secret without a spec change, so older OpenSearch Secrets lack
 * them and stay as they are; Valkey replica keys depend on the service.
 */
function requiredKeys(entry: SecretEntry): string[] {
  switch (entry.service) {
    case 'kafka':
      return [...KAFKA_SECRET_KEYS, ...COMMON_KEYS];
    case 'opensearch':
      return [...OPENSEARCH_SECRET_KEYS.filter((k) => !OPTIONAL_OPENSEARCH_KEYS.has(k)), ...COMMON_KEYS];
    case 'valkey':
      return [...valkeySecretKeys(entry.instance ?? '', false), ...COMMON_KEYS];
  }
}

const OPTIONAL_OPENSEARCH_KEYS = new Set([OPEN_SEARCH_DASHBOARD_URI, OPEN_SEARCH_DASHBOARD_HOST, OPEN_SEARCH_DASHBOARD_PORT]);

/** Where the Secret says its user lives, from the annotations the finalizer also reads. */
async function userLocation(deps: ActivityDeps, entry: SecretEntry, secret: k8s.V1Secret): Promise<UserLocation | undefined> {
  const a = secret.metadata?.annotations ?? {};
  switch (entry.service) {
    case 'kafka': {
      const username = a[KAFKA_SERVICE_USER_ANNOTATION];
      const pool = a[KAFKA_POOL_ANNOTATION];
      return username && pool ? { project: pool, serviceName: await kafkaServiceName(deps, pool), username } : undefined;
    }
    case 'opensearch': {
      const [username, serviceName, project] = [a[OPENSEARCH_SERVICE_USER_ANNOTATION], a[OPENSEARCH_SERVICE_NAME_ANNOTATION], a[OPENSEARCH_PROJECT_ANNOTATION]];
      return username && serviceName && project ? { project, serviceName, username } : undefined;
    }
    case 'valkey': {
      const instance = entry.instance ?? '';
      const [username, serviceName, project] = [a[valkeyServiceUserAnnotation(instance)], a[valkeyServiceNameAnnotation(instance)], a[VALKEY_PROJECT_ANNOTATION]];
      return username && serviceName && project ? { project, serviceName, username } : undefined;
    }
  }
}
