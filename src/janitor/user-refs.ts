// Which Aiven service users a managed Secret points at, from its annotations,
// using each handler's cleanup-target parsing (src/handlers). Pure.
import { kafkaCleanupTarget } from '../handlers/kafka';
import { openSearchCleanupTarget } from '../handlers/opensearch';
import { MissingAnnotationError } from '../handlers/secret-meta';
import { valkeyCleanupTargets } from '../handlers/valkey';
import { ServiceUserIdentity, serviceUserKey } from './user-key';

export interface SecretUsers {
  users: ServiceUserIdentity[];
  /** Why some user cannot be identified (e.g. a Kafka user annotation without its pool). */
  problems: string[];
}

/** In cleanup order: OpenSearch, Kafka, Valkey (the order does not matter to Aiven). */
export function secretServiceUsers(annotations: Record<string, string> | undefined): SecretUsers {
  const users: ServiceUserIdentity[] = [];
  const problems: string[] = [];
  const os = openSearchCleanupTarget(annotations);
  if (os instanceof MissingAnnotationError) problems.push(`OpenSearch: ${os.message}`);
  else if (os) users.push({ handler: 'opensearch', project: os.project, service: os.service, username: os.username });

  const kafka = kafkaCleanupTarget(annotations);
  if (kafka instanceof MissingAnnotationError) problems.push(`Kafka: ${kafka.message}`);
  else if (kafka) users.push({ handler: 'kafka', project: kafka.project, username: kafka.username });

  try {
    for (const v of valkeyCleanupTargets(annotations)) users.push({ handler: 'valkey', project: v.project, service: v.service, username: v.username });
  } catch (err) {
    if (!(err instanceof MissingAnnotationError)) throw err;
    problems.push(`Valkey: ${err.message}`);
  }
  return { users, problems };
}

/** Keys of every user the Secret points at (problems ignored). */
export function secretUserKeys(annotations: Record<string, string> | undefined): string[] {
  return secretServiceUsers(annotations).users.map(serviceUserKey);
}
