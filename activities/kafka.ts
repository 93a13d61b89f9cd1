// Kafka: resolve the pool's service, get or create the application's user,
// build the key stores and write the Secret, all in one activity so the
// credentials never leave it.
import { isNotFound } from '../src/aiven/errors';
import { buildKafkaKeyStores, storePasswordFor } from '../src/keystores';
import { KafkaAddresses, kafkaAddresses, kafkaAnnotations, kafkaSecretData, kafkaServiceCandidates } from '../src/handlers/kafka';
import { ServiceUser } from '../src/aiven/types';
import * as k8s from '@kubernetes/client-node';
import { kafkaServiceUserName } from '../src/naming/names';
import { ActivityDeps } from './deps';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidSpecError, handlerActivity, toActivityFailure } from './failures';
import { SecretWrite, readTargetSecret, writeSecret } from './secret-writer';
import { getOrCreateUser, projectCa } from './service-users';
import type { SyncSecretInput, SyncSecretResult } from '../src/model/types';

export function kafkaActivities(deps: ActivityDeps) {
  return {
    async syncKafkaSecret(input: SyncSecretInput): Promise<SyncSecretResult> {
      return handlerActivity(deps, 'kafka', async () => {
        const pool = input.entry.pool ?? '';
        if (!deps.projects.includes(pool)) throw new InvalidSpecError(`Kafka pool "${pool}" is not allowed`);
        const existing = await readTargetSecret(deps, input);
        const shared = await kafkaPool(deps, pool);
        const username = kafkaServiceUserName(input.app.namespace, input.app.name, input.app.generation);
        const { user, created } = await getOrCreateUser(deps, pool, shared.serviceName, username);
        try {
          const write = await writeKafkaSecret(deps, input, existing, shared, user);
          return { secretName: input.entry.secretName, service: 'kafka', serviceName: shared.serviceName, project: pool, username, userCreated: created, ...write };
        } catch (err) {
          // As the reference: a new user whose Secret cannot be built or written is not left behind,
          // when that is final. After a transient failure (the apiserver unreachable) the retry reuses
          // the user instead of creating it a second time; if the retries run out, the pass's
          // compensation settles it (found by the chaos suite: a create, delete and create again).
          const failure = toActivityFailure(err, 'syncKafka');
          if (created && failure instanceof ApplicationFailure && failure.nonRetryable) {
            await deps.aiven.deleteServiceUser(pool, shared.serviceName, username).catch(() => undefined);
          }
          throw err;
        }
      });
    },
  };
}

/** What every Kafka Secret of a pool shares: the service, its addresses and the CAs. */
export interface KafkaPool {
  pool: string;
  serviceName: string;
  addresses: KafkaAddresses;
  poolCa: string;
  mainCa: string;
}

export async function kafkaPool(deps: ActivityDeps, pool: string): Promise<KafkaPool> {
  const serviceName = await kafkaServiceName(deps, pool);
  const [service, poolCa, mainCa] = await Promise.all([
    deps.caches.services.get(`${pool}/${serviceName}`, () => deps.aiven.getService(pool, serviceName)),
    projectCa(deps, pool),
    projectCa(deps, deps.mainProject),
  ]);
  return { pool, serviceName, addresses: kafkaAddresses(service), poolCa, mainCa };
}

/**
 * Builds fresh key stores for the user's certificate and writes the whole Kafka
 * Secret. Every writer (sync pass, drift repair, certificate renewal) comes
 * here with the Secret as read: a rewrite keeps its store password, because
 * running pods hold it in their environment while the mounted stores change.
 */
export async function writeKafkaSecret(deps: ActivityDeps, input: SyncSecretInput, existing: k8s.V1Secret | null, pool: KafkaPool, user: ServiceUser): Promise<SecretWrite> {
  const kept = existingStorePassword(existing);
  const password = storePasswordFor(kept);
  if (kept !== undefined && kept !== password) {
    // Pods started with the old one will fail to open the new stores: say so (never the password itself).
    deps.log.warn({ aiven_application: input.app.name, team: input.app.namespace, secret: input.entry.secretName }, 'KAFKA_CREDSTORE_PASSWORD in the Secret cannot protect the key stores (empty or not printable ASCII); a new one is written');
  }
  const stores = buildKafkaKeyStores({ certPem: user.access_cert ?? '', keyPem: user.access_key ?? '', caPem: pool.poolCa, password });
  const data = kafkaSecretData({ user, addresses: pool.addresses, caPem: pool.poolCa, credStorePassword: password, ...stores, now: deps.now?.() ?? new Date() });
  return writeSecret(deps, input, existing, kafkaAnnotations(user.username, pool.pool), data, pool.mainCa);
}

function existingStorePassword(existing: k8s.V1Secret | null): string | undefined {
  const encoded = existing?.data?.KAFKA_CREDSTORE_PASSWORD;
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

/** The pool's Kafka service is `kafka` or, in older projects, `<pool>-kafka`. */
export function kafkaServiceName(deps: ActivityDeps, pool: string): Promise<string> {
  return deps.caches.kafkaServiceName.get(pool, async () => {
    const candidates = kafkaServiceCandidates(pool);
    for (const name of candidates) {
      try {
        const service = await deps.aiven.getService(pool, name);
        deps.caches.services.get(`${pool}/${name}`, async () => service);
        return name;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    throw new InvalidSpecError(`no Kafka service ${candidates.join(' or ')} in project ${pool}`);
  });
}
