// What the activities are built over: injected clients, configuration and
// shared caches, so tests and the worker wire them the same way.
import { AivenClient } from '../src/aiven/client';
import { ServiceInfo, ServiceUser } from '../src/aiven/types';
import { TtlCache } from '../src/cache';
import type { KubeCaches } from '../src/kube/cache/kube-caches';
import { KubeClients } from '../src/kube/clients';
import { Logger } from '../src/log';
import { MetricsHooks } from '../src/metrics/hooks';
import type { OpenSearchAclChange, OpenSearchAclChangeResult } from '../src/model/types';

/** Serialises OpenSearch ACL changes per service across the fleet; see worker/opensearch-acl-serialiser.ts. */
export interface OpenSearchAclSerialiser {
  apply(change: OpenSearchAclChange): Promise<OpenSearchAclChangeResult>;
}

export interface ActivityDeps {
  kube: KubeClients;
  aiven: AivenClient;
  /** Allowed Kafka pools. */
  projects: string[];
  mainProject: string;
  log: Logger;
  caches: AivenCaches;
  /** OpenSearch ACL changes, one at a time per service across the fleet (worker/opensearch-acl-serialiser.ts). */
  openSearchAcl: OpenSearchAclSerialiser;
  /** The worker's informer caches (src/kube/cache); the janitor lists live when absent. */
  kubeCaches?: KubeCaches;
  metrics?: MetricsHooks;
  /** How often actors check credential health (AIVENATOR_DRIFT_INTERVAL); 0 or absent disables. */
  driftIntervalMs?: number;
  now?: () => Date;
  /** How long a user replaced in a Secret that kept its name lives on (DEFAULT_REPLACED_USER_GRACE_MS); see workflows/compensation.ts. */
  replacedUserGraceMs?: number;
  /** Key of Aivenator's signature on the Secrets it writes (src/provenance); see signingKey() for the default. */
  signingKey?: Buffer;
  /** Force the retirement of a replaced user this long after the rewrite even if old pods still run (AIVENATOR_REPLACED_USER_MAX_AGE); 0 or absent: never. */
  replacedUserMaxAgeMs?: number;
  /** How often a replaced user's retirement looks at the pods again (DEFAULT_REPLACED_USER_RECHECK_MS). */
  replacedUserRecheckMs?: number;
}

/** Pods roll over in minutes; one pod list per namespace every two minutes is cheap. */
export const DEFAULT_REPLACED_USER_RECHECK_MS = 2 * 60_000;

/** Default life of a user replaced in a Secret that kept its name: long enough for a rollout. */
export const DEFAULT_REPLACED_USER_GRACE_MS = 60 * 60_000;

export interface AivenCaches {
  /** Project CA per project: stable for years. */
  projectCa: TtlCache<string>;
  /** Service info without secrets (components, state) per project/service. */
  services: TtlCache<ServiceInfo>;
  /** Which service name a Kafka pool resolved to. */
  kafkaServiceName: TtlCache<string>;
  /** Users of a service for drift checks: one read per service per interval, shared by all applications. */
  serviceUsers: TtlCache<ServiceUser[]>;
}

/** The reference caches addresses for 5 minutes; the CA and the pool's service name change even less. */
export function createCaches(opts: { driftIntervalMs?: number } = {}): AivenCaches {
  // Fresh enough that a user deleted behind our back is seen within one drift interval.
  const serviceUsersTtlMs = Math.min(Math.max((opts.driftIntervalMs ?? 3_600_000) / 2, 1000), 5 * 60_000);
  return {
    serviceUsers: new TtlCache<ServiceUser[]>(serviceUsersTtlMs),
    projectCa: new TtlCache<string>(60 * 60_000),
    services: new TtlCache<ServiceInfo>(5 * 60_000),
    kafkaServiceName: new TtlCache<string>(60 * 60_000),
  };
}
