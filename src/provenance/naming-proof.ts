// Proof by name, for Secrets Aivenator did not sign (written by the Go
// aivenator, or before signatures): a user belongs to application <app> in
// namespace <ns> only if it is exactly what the naming rules give for them at
// some generation, and its service is one the namespace owns. Pure; which
// aiven.io objects must exist is returned for the caller to look up.
import { accessSuffix, kafkaServiceUserNameWithSuffix, kafkaShortTeamName, suffix3 } from '../naming/names';
import type { ServiceUserIdentity } from '../janitor/user-key';

/** Generations searched for a user's suffix when the application is gone (its last generation is unknown). */
export const MAX_GENERATION_SCAN = 100_000;
const ACCESS_LEVELS = ['admin', 'write', 'readwrite', 'read'] as const;
const SUFFIX_RE = /^[A-Za-z0-9_-]{3}$/;

export type InstancePlural = 'opensearches' | 'valkeys';

/** An aiven.io object that must exist in the namespace, and in no other namespace the service name could also belong to. */
export interface RequiredInstance {
  plural: InstancePlural;
  namespace: string;
  name: string;
  /** Other namespaces whose naming would also give this service name. */
  rivals: string[];
}

export type NamingVerdict = { proven: true; instance?: RequiredInstance } | { proven: false; detail: string };

export interface NamingOwner {
  namespace: string;
  app: string;
  /** The application's current generation; undefined when it is gone. */
  generation?: number;
}

/** True when `suffix` is suffix3(g, app) for some g in 0..maxGeneration. */
export function isSuffixOf(suffix: string, app: string, maxGeneration: number): boolean {
  if (!SUFFIX_RE.test(suffix)) return false;
  for (let g = 0; g <= maxGeneration; g++) if (suffix3(g, app) === suffix) return true;
  return false;
}

/**
 * Whether the naming rules make `user` the application's: Kafka
 * `<team>_<app>_<crc>_<suffix3>`, OpenSearch `<ns><access>-<suffix3>`, Valkey
 * `<app><access>-<suffix3>` on `valkey-<ns>-<instance>`.
 */
export function namingProof(user: ServiceUserIdentity, owner: NamingOwner): NamingVerdict {
  const maxGeneration = owner.generation ?? MAX_GENERATION_SCAN;
  const { namespace, app } = owner;
  const mismatch = (what: string): NamingVerdict => ({ proven: false, detail: `${what} is not what the naming rules give for application ${app} of this namespace` });
  if (user.handler === 'kafka') {
    const prefix = kafkaServiceUserNameWithSuffix(namespace, app, '');
    if (!user.username.startsWith(prefix) || !isSuffixOf(user.username.slice(prefix.length), app, maxGeneration)) return mismatch(`Kafka user ${user.username}`);
    return { proven: true };
  }
  const service = user.service ?? '';
  const base = user.handler === 'opensearch' ? namespace : app;
  const suffix = user.username.slice(-3);
  const matches = ACCESS_LEVELS.some((access) => user.username === `${base}${accessSuffix(access)}-${suffix}`);
  if (!matches || !isSuffixOf(suffix, app, maxGeneration)) return mismatch(`${user.handler === 'opensearch' ? 'OpenSearch' : 'Valkey'} user ${user.username}`);
  if (user.handler === 'valkey') {
    if (!service.startsWith(`valkey-${namespace}-`)) return { proven: false, detail: `service ${service} is not named valkey-${namespace}-<instance>` };
    return { proven: true, instance: { plural: 'valkeys', namespace, name: service, rivals: rivalNamespaces('valkey-', service, namespace) } };
  }
  // OpenSearch services are `opensearch-<ns>-<instance>`, or (older) the instance's own name.
  return { proven: true, instance: { plural: 'opensearches', namespace, name: service, rivals: service.startsWith(`opensearch-${namespace}-`) ? rivalNamespaces('opensearch-', service, namespace) : [] } };
}

/**
 * Every other namespace N for which `<prefix><N>-<instance>` also spells
 * `service` (namespace `orders` vs `orders-x`: both could own
 * `opensearch-orders-x-logs`). If one of them holds an object of that name,
 * ownership is ambiguous and nothing is proven.
 */
export function rivalNamespaces(prefix: string, service: string, namespace: string): string[] {
  const rest = service.slice(prefix.length);
  const rivals: string[] = [];
  for (let i = rest.indexOf('-'); i > 0; i = rest.indexOf('-', i + 1)) {
    const candidate = rest.slice(0, i);
    if (candidate !== namespace) rivals.push(candidate);
  }
  return rivals;
}

/**
 * Namespaces an OpenSearch user name could belong to, without knowing the
 * application (`<ns><access>-<suffix3>`): used when only the user is known.
 */
export function openSearchUserNamespaces(username: string): string[] {
  if (username.length < 5 || username[username.length - 4] !== '-' || !SUFFIX_RE.test(username.slice(-3))) return [];
  const base = username.slice(0, -4);
  const found = new Set<string>([base]);
  for (const access of ['-w', '-rw', '-r']) if (base.endsWith(access) && base.length > access.length) found.add(base.slice(0, -access.length));
  return [...found];
}

/**
 * Whether a Secret in `namespace` could hold `user` at all by the naming rules
 * (any application): Kafka users start with the namespace's team part,
 * OpenSearch users spell the namespace, Valkey services name it. Only such
 * Secrets count as evidence that a user is still in use.
 */
export function couldBelongTo(user: ServiceUserIdentity, namespace: string): boolean {
  if (user.handler === 'kafka') return user.username.startsWith(`${kafkaShortTeamName(namespace)}_`);
  if (user.handler === 'opensearch') return openSearchUserNamespaces(user.username).includes(namespace);
  return (user.service ?? '').startsWith(`valkey-${namespace}-`);
}
