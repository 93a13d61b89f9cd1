// Aivenator's Prometheus metrics. Every series the Go aivenator exports keeps
// its name, labels and meaning (prefix `aivenator_`, aivenator-behaviour.md §6),
// so dashboards and the chart's alerts read the same; what we add goes into new
// series:
// - aiven_applications_processed counts every reconcile pass (up to date or not),
//   labelled with the state the application is left in, as Go does;
// - service_users_created/deleted/updated carry only `pool`; per service in
//   service_user_operations{pool,service,operation};
// - service_users_count{pool,username_convention} is one number per pool (Go's
//   gauge, overwritten by whichever service was counted last, meant the pool's
//   Kafka users: its Kafka service counts when known); per service in
//   service_users{pool,service,username_convention};
// - username_convention classifies as Go: exactly three `_` → underscore, else
//   any `.` → dot, else other;
// - service_users_updated is registered; kubernetes_resources_not_written counts
//   failed writes only; secrets_managed has real protected counts.
import * as k8s from '@kubernetes/client-node';
import * as client from 'prom-client';
import type { AivenOperation } from '../aiven/errors';
import type { MetricsHooks, SecretsManagedCounts } from './hooks';

export const METRIC_PREFIX = 'aivenator_';

/** The reference's processing-time buckets: 1, 3, …, 39 seconds. */
export const PROCESSING_BUCKETS = client.linearBuckets(1, 2, 20);
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type UsernameConvention = 'dot' | 'underscore' | 'other';

/** The reference's classes of user names (Go: strings.Count "_" == 3, then any "."). */
export function usernameConvention(username: string): UsernameConvention {
  if (username.split('_').length - 1 === 3) return 'underscore';
  if (username.includes('.')) return 'dot';
  return 'other';
}

/** A pool's Kafka service: `kafka`, or `<pool>-kafka` in older projects. */
function isKafkaService(pool: string, service: string): boolean {
  return service === 'kafka' || service === `${pool}-kafka`;
}

export interface AivenatorMetricsOptions {
  registry?: client.Registry;
  /** Node.js process metrics (process_*, nodejs_*); default true. */
  defaultMetrics?: boolean;
  /**
   * Lists the user names of a service, for service_users_count. Without it the
   * gauge stays empty. The worker passes the Aiven client's getService.
   */
  listServiceUsers?: (project: string, service: string) => Promise<string[]>;
  /** How often every known service's user count is refreshed; the reference's 5 minutes. */
  userCountIntervalMs?: number;
  /** Delay after a create or delete before that service is counted again (coalesces bursts). */
  userCountDebounceMs?: number;
  /** A service is recounted after a write at most this often (a burst of new apps costs a few Aiven reads, not one per 2 s). */
  userCountMinIntervalMs?: number;
}

export class AivenatorMetrics implements MetricsHooks {
  readonly registry: client.Registry;
  readonly processed: client.Counter<'synchronization_state'>;
  readonly requeued: client.Counter<'synchronization_state'>;
  readonly processingTime: client.Histogram<'synchronization_state'>;
  readonly handlerTime: client.Histogram<'handler'>;
  readonly processingReason: client.Counter<'processing_reason'>;
  readonly usersCreated: client.Counter<'pool'>;
  readonly usersDeleted: client.Counter<'pool'>;
  readonly usersUpdated: client.Counter<'pool'>;
  readonly userOperations: client.Counter<'pool' | 'service' | 'operation'>;
  readonly usersCount: client.Gauge<'pool' | 'username_convention'>;
  readonly usersPerService: client.Gauge<'pool' | 'service' | 'username_convention'>;
  readonly aivenLatency: client.Histogram<'operation' | 'status' | 'pool'>;
  readonly written: client.Counter<'namespace' | 'resource_type'>;
  readonly notWritten: client.Counter<'namespace' | 'resource_type'>;
  readonly deleted: client.Counter<'namespace' | 'resource_type'>;
  readonly kubernetesLatency: client.Histogram<'operation'>;
  readonly secretsManagedGauge: client.Gauge<'state'>;
  readonly janitorSkipped: client.Counter<'scope' | 'list'>;
  readonly certificateExpiryGauge: client.Gauge<'namespace' | 'app'>;
  readonly cleanupRefusedCounter: client.Counter<'reason'>;

  private readonly knownServices = new Set<string>();
  private readonly kafkaCounted = new Set<string>();
  private readonly pendingCounts = new Map<string, NodeJS.Timeout>();
  private readonly lastCounted = new Map<string, number>();
  private interval?: NodeJS.Timeout;

  constructor(private readonly opts: AivenatorMetricsOptions = {}) {
    const registers = [(this.registry = opts.registry ?? new client.Registry())];
    const name = (n: string) => `${METRIC_PREFIX}${n}`;
    this.processed = new client.Counter({
      name: name('aiven_applications_processed'), help: 'Reconcile passes (every one, as the reference), by the state the application is left in', labelNames: ['synchronization_state'], registers,
    });
    this.requeued = new client.Counter({ name: name('aiven_applications_requeued'), help: 'Failed passes the actor will run again by itself', labelNames: ['synchronization_state'], registers });
    this.processingTime = new client.Histogram({
      name: name('aiven_application_processing_time_seconds'), help: 'Duration of reconcile passes that did work', labelNames: ['synchronization_state'], buckets: PROCESSING_BUCKETS, registers,
    });
    this.handlerTime = new client.Histogram({
      name: name('aiven_handler_processing_time_seconds'), help: 'Duration of one handler (kafka, opensearch, valkey) syncing one Secret', labelNames: ['handler'], buckets: PROCESSING_BUCKETS, registers,
    });
    this.processingReason = new client.Counter({ name: name('processing_reason'), help: 'Why passes synchronised (HashChanged, MissingSecret) or why they failed', labelNames: ['processing_reason'], registers });
    this.usersCreated = new client.Counter({ name: name('service_users_created'), help: 'Aiven service users created', labelNames: ['pool'], registers });
    this.usersDeleted = new client.Counter({ name: name('service_users_deleted'), help: 'Aiven service users deleted', labelNames: ['pool'], registers });
    this.usersUpdated = new client.Counter({ name: name('service_users_updated'), help: 'Aiven service users whose access control was set again', labelNames: ['pool'], registers });
    this.userOperations = new client.Counter({
      name: name('service_user_operations'), help: 'Aiven service users created, deleted or updated, per service', labelNames: ['pool', 'service', 'operation'], registers,
    });
    this.usersCount = new client.Gauge({
      name: name('service_users_count'), help: "Service users of the pool's Kafka service (the reference's gauge; per service in aivenator_service_users)", labelNames: ['pool', 'username_convention'], registers,
    });
    this.usersPerService = new client.Gauge({
      name: name('service_users'), help: 'Service users per Aiven service (Aiven allows 50 by default)', labelNames: ['pool', 'service', 'username_convention'], registers,
    });
    this.aivenLatency = new client.Histogram({
      name: name('aiven_latency'), help: 'Aiven API call latency in seconds', labelNames: ['operation', 'status', 'pool'], buckets: LATENCY_BUCKETS, registers,
    });
    this.written = new client.Counter({ name: name('kubernetes_resources_written'), help: 'Kubernetes objects written', labelNames: ['namespace', 'resource_type'], registers });
    this.notWritten = new client.Counter({ name: name('kubernetes_resources_not_written'), help: 'Kubernetes writes that failed', labelNames: ['namespace', 'resource_type'], registers });
    this.deleted = new client.Counter({ name: name('kubernetes_resources_deleted'), help: 'Kubernetes objects deleted', labelNames: ['namespace', 'resource_type'], registers });
    this.kubernetesLatency = new client.Histogram({
      name: name('kubernetes_latency'), help: 'Kubernetes API call latency in seconds', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers,
    });
    this.secretsManagedGauge = new client.Gauge({ name: name('secrets_managed'), help: 'Managed Secrets by state, as the janitor last counted them', labelNames: ['state'], registers });
    this.janitorSkipped = new client.Counter({ name: name('janitor_sweeps_skipped'), help: 'Janitor sweeps that deleted nothing because a list call failed', labelNames: ['scope', 'list'], registers });
    this.certificateExpiryGauge = new client.Gauge({
      name: name('kafka_certificate_expiry_timestamp_seconds'), help: "Earliest not-after of an application's Kafka client certificates (Unix seconds)", labelNames: ['namespace', 'app'], registers,
    });
    this.cleanupRefusedCounter = new client.Counter({ name: name('cleanup_refused_total'), help: 'User deletions refused because the user was not proven to belong to what was cleaned up', labelNames: ['reason'], registers });
    this.driftCounter = new client.Counter({ name: name('drift_detected_total'), help: 'Drift found by the credential health checks (each is repaired), by kind', labelNames: ['kind'], registers });
    const releases = { count: undefined as ((startedBefore?: Date) => Promise<number>) | undefined };
    this.pendingReleases = releases;
    new client.Gauge({
      name: name('user_releases_pending'),
      help: 'Open releases of Aiven users (replaced in a rewritten Secret, or left by a failed pass) waiting for old pods, their grace or Aiven; age=over_24h: those started more than a day ago',
      labelNames: ['age'],
      registers,
      async collect() {
        // Only the controller counts (Temporal visibility, fleet-wide); Temporal unreachable: NaN, not a stale number.
        const count = releases.count;
        if (!count) return;
        const [all, old] = await Promise.all([count(), count(new Date(Date.now() - 24 * 3_600_000))].map((p) => p.catch(() => NaN)));
        this.set({ age: 'all' }, all);
        this.set({ age: 'over_24h' }, old);
      },
    });
    if (opts.defaultMetrics !== false) client.collectDefaultMetrics({ register: this.registry });
  }

  private readonly driftCounter: client.Counter<'kind'>;

  driftDetected(kind: string): void {
    this.driftCounter.inc({ kind });
  }

  private readonly pendingReleases: { count?: (startedBefore?: Date) => Promise<number> };

  countPendingReleases(count: (startedBefore?: Date) => Promise<number>): void {
    this.pendingReleases.count = count;
  }

  // --- MetricsHooks -------------------------------------------------------

  passFinished(state: 'RolloutComplete' | 'RolloutFailed', reason: string, seconds: number): void {
    this.processingTime.observe({ synchronization_state: state }, Math.max(0, seconds));
    if (reason) this.processingReason.inc({ processing_reason: reason });
  }

  applicationProcessed(state: string): void {
    this.processed.inc({ synchronization_state: state });
  }

  passRequeued(state: 'RolloutComplete' | 'RolloutFailed'): void {
    this.requeued.inc({ synchronization_state: state });
  }

  handlerFinished(handler: string, seconds: number): void {
    this.handlerTime.observe({ handler }, Math.max(0, seconds));
  }

  serviceUserCreated(project: string, service: string): void {
    this.usersCreated.inc({ pool: project });
    this.userOperations.inc({ pool: project, service, operation: 'created' });
    this.scheduleUserCount(project, service);
  }

  serviceUserDeleted(project: string, service: string): void {
    this.usersDeleted.inc({ pool: project });
    this.userOperations.inc({ pool: project, service, operation: 'deleted' });
    this.scheduleUserCount(project, service);
  }

  serviceUserUpdated(project: string, service: string): void {
    this.usersUpdated.inc({ pool: project });
    this.userOperations.inc({ pool: project, service, operation: 'updated' });
  }

  kubernetesWritten(namespace: string, resourceType: string): void {
    this.written.inc({ namespace, resource_type: resourceType });
  }

  kubernetesNotWritten(namespace: string, resourceType: string): void {
    this.notWritten.inc({ namespace, resource_type: resourceType });
  }

  kubernetesDeleted(namespace: string, resourceType: string): void {
    this.deleted.inc({ namespace, resource_type: resourceType });
  }

  secretsManaged(counts: SecretsManagedCounts): void {
    for (const [state, n] of Object.entries(counts)) this.secretsManagedGauge.set({ state }, n);
  }

  janitorSweepSkipped(scope: string, list: string): void {
    this.janitorSkipped.inc({ scope, list });
  }

  cleanupRefused(reason: string): void {
    this.cleanupRefusedCounter.inc({ reason });
  }

  certificateExpiry(namespace: string, app: string, unixSeconds: number): void {
    this.certificateExpiryGauge.set({ namespace, app }, unixSeconds);
  }

  // --- Aiven and Kubernetes calls -----------------------------------------

  /** For AivenClient's `onResponse`: one observation per request. `project` when the client passes it. */
  readonly onAivenResponse = (op: AivenOperation, status: number | 'network', ms: number, project?: string): void => {
    this.aivenLatency.observe({ operation: op, status: String(status), pool: project ?? '' }, ms / 1000);
  };

  /**
   * Times every API call made through clients this KubeConfig creates
   * (`kc.makeApiClient`), as kubernetes_latency{operation="<verb> <resource>"}.
   * Watches (informers) do not go through it. Returns the same KubeConfig.
   */
  instrumentKubeConfig(kc: k8s.KubeConfig): k8s.KubeConfig {
    const http = new k8s.IsomorphicFetchHttpLibrary();
    const observe = (operation: string, started: number) => this.kubernetesLatency.observe({ operation }, (performance.now() - started) / 1000);
    const timed = k8s.wrapHttpLibrary({
      async send(request) {
        const started = performance.now();
        try {
          return await http.send(request).toPromise();
        } finally {
          observe(kubeOperation(request.getHttpMethod().toString(), request.getUrl()), started);
        }
      },
    });
    kc.makeApiClient = <T>(apiClientType: new (config: k8s.Configuration) => T): T => {
      const cluster = kc.getCurrentCluster();
      if (!cluster) throw new Error('No active cluster!');
      return new apiClientType(k8s.createConfiguration({
        baseServer: new k8s.ServerConfiguration(cluster.server, {}),
        authMethods: { default: kc },
        httpApi: timed,
      }));
    };
    return kc;
  }

  // --- service_users_count --------------------------------------------------

  /** Starts the periodic recount of every service seen so far. */
  start(): void {
    if (this.interval || !this.opts.listServiceUsers) return;
    this.interval = setInterval(() => {
      for (const key of this.knownServices) void this.countUsers(key);
    }, this.opts.userCountIntervalMs ?? 5 * 60_000);
    this.interval.unref();
  }

  stop(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    for (const timer of this.pendingCounts.values()) clearTimeout(timer);
    this.pendingCounts.clear();
  }

  /** Counts one service's users now (also for services never written to by this process). */
  async countUsers(key: string): Promise<void> {
    const list = this.opts.listServiceUsers;
    if (!list) return;
    const [project, service] = key.split('/');
    this.knownServices.add(key);
    this.lastCounted.set(key, Date.now());
    let users: string[];
    try {
      users = await list(project, service);
    } catch {
      return; // Counted again on the next interval.
    }
    const counts: Record<UsernameConvention, number> = { dot: 0, underscore: 0, other: 0 };
    for (const user of users) counts[usernameConvention(user)]++;
    for (const [convention, n] of Object.entries(counts)) this.usersPerService.set({ pool: project, service, username_convention: convention }, n);
    // The pool-level gauge: its Kafka service once counted, else (as Go) the service counted last.
    if (isKafkaService(project, service) || !this.kafkaCounted.has(project)) {
      if (isKafkaService(project, service)) this.kafkaCounted.add(project);
      for (const [convention, n] of Object.entries(counts)) this.usersCount.set({ pool: project, username_convention: convention }, n);
    }
  }

  private scheduleUserCount(project: string, service: string): void {
    if (!this.opts.listServiceUsers) return;
    const key = `${project}/${service}`;
    this.knownServices.add(key);
    if (this.pendingCounts.has(key)) return;
    const debounce = this.opts.userCountDebounceMs ?? 2000;
    const last = this.lastCounted.get(key);
    const spacing = last === undefined ? 0 : last + (this.opts.userCountMinIntervalMs ?? 30_000) - Date.now();
    const timer = setTimeout(() => {
      this.pendingCounts.delete(key);
      void this.countUsers(key);
    }, Math.max(debounce, spacing));
    timer.unref();
    this.pendingCounts.set(key, timer);
  }
}

/**
 * `<verb> <resource>` of a Kubernetes API URL, e.g. `get secrets`,
 * `patch aivenapplications/status`, `list aivenapplications`, `create events`.
 * Names and namespaces are left out so the label stays low-cardinality.
 */
export function kubeOperation(method: string, url: string): string {
  const path = new URL(url, 'http://x').pathname.split('/').filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...
  let rest = path[0] === 'api' ? path.slice(2) : path.slice(3);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource = 'unknown', name, sub] = rest;
  const what = sub ? `${resource}/${sub}` : resource;
  const verbs: Record<string, string> = { GET: name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' };
  return `${verbs[method.toUpperCase()] ?? method.toLowerCase()} ${what}`;
}
