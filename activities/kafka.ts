// Kafka: resolve the pool's service, get or create the application's user,
// build the key stores and write the Secret, all in one activity so the
// credentials never leave it.
import { isNotFound } from '../src/aiven/errors';
import { buildKafkaKeyStores, randomStorePassword } from '../src/keystores';
import { kafkaAddresses, kafkaAnnotations, kafkaSecretData, kafkaServiceCandidates } from '../src/handlers/kafka';
import { kafkaServiceUserName } from '../src/naming/names';
import { ActivityDeps } from './deps';
import { InvalidSpecError, handlerActivity } from './failures';
import { readTargetSecret, writeSecret } from './secret-writer';
import { getOrCreateUser, projectCa } from './service-users';
import type { SyncSecretInput, SyncSecretResult } from './types';

export function kafkaActivities(deps: ActivityDeps) {
  return {
    async syncKafkaSecret(input: SyncSecretInput): Promise<SyncSecretResult> {
      return handlerActivity(deps, 'kafka', async () => {
        const pool = input.entry.pool ?? '';
        if (!deps.projects.includes(pool)) throw new InvalidSpecError(`Kafka pool "${pool}" is not allowed`);
        const existing = await readTargetSecret(deps, input);
        const serviceName = await kafkaServiceName(deps, pool);
        const [service, poolCa, mainCa] = await Promise.all([
          deps.caches.services.get(`${pool}/${serviceName}`, () => deps.aiven.getService(pool, serviceName)),
          projectCa(deps, pool),
          projectCa(deps, deps.mainProject),
        ]);
        const addresses = kafkaAddresses(service);
        const username = kafkaServiceUserName(input.app.namespace, input.app.name, input.app.generation);
        const { user, created } = await getOrCreateUser(deps, pool, serviceName, username);

        const password = randomStorePassword();
        let stores;
        try {
          stores = buildKafkaKeyStores({ certPem: user.access_cert ?? '', keyPem: user.access_key ?? '', caPem: poolCa, password });
        } catch (err) {
          // As the reference: a user whose stores cannot be built is not left behind.
          if (created) await deps.aiven.deleteServiceUser(pool, serviceName, username).catch(() => undefined);
          throw err;
        }
        const data = kafkaSecretData({ user, addresses, caPem: poolCa, credStorePassword: password, ...stores, now: deps.now?.() ?? new Date() });
        const write = await writeSecret(deps, input, existing, kafkaAnnotations(username, pool), data, mainCa);
        return { secretName: input.entry.secretName, service: 'kafka', serviceName, project: pool, username, userCreated: created, ...write };
      });
    },
  };
}

/** The pool's Kafka service is `kafka` or, in older projects, `<pool>-kafka`. */
function kafkaServiceName(deps: ActivityDeps, pool: string): Promise<string> {
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
