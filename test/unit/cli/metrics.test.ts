// The Prometheus side: names and labels as the reference, its bugs fixed, and
// the ops endpoint (/metrics with the Temporal SDK's text appended, /healthz, /readyz).
import * as k8s from '@kubernetes/client-node';
import { AivenatorMetrics, kubeOperation, usernameConvention } from '../../../src/metrics/prometheus';
import { parseListenAddress, startOpsServer } from '../../../src/metrics/server';

describe('AivenatorMetrics', () => {
  it('exposes the reference metric names with the aivenator_ prefix', async () => {
    const m = new AivenatorMetrics({ defaultMetrics: false });
    m.passFinished('RolloutComplete', 'HashChanged', 2);
    m.applicationProcessed('RolloutComplete');
    m.passRequeued('RolloutFailed');
    m.handlerFinished('kafka', 0.5);
    m.serviceUserCreated('dev-nais-dev', 'kafka');
    m.serviceUserDeleted('dev-nais-dev', 'kafka');
    m.serviceUserUpdated('dev-nais-dev', 'valkey-team-cache');
    m.kubernetesWritten('team', 'Secret');
    m.kubernetesDeleted('team', 'Secret');
    m.onAivenResponse('getService', 200, 12, 'dev-nais-dev');
    m.secretsManaged({ in_use: 3, protected: 2, 'protected-with-time-limit': 1 });
    m.janitorSweepSkipped('cluster', 'pods');
    m.certificateExpiry('team', 'app', 1_900_000_000);
    const text = await m.registry.metrics();
    for (const name of [
      'aiven_applications_processed', 'aiven_applications_requeued', 'aiven_application_processing_time_seconds', 'aiven_handler_processing_time_seconds',
      'processing_reason', 'service_users_created', 'service_users_deleted', 'service_users_updated', 'service_users_count', 'aiven_latency',
      'kubernetes_resources_written', 'kubernetes_resources_not_written', 'kubernetes_resources_deleted', 'kubernetes_latency', 'secrets_managed',
    ]) {
      expect(text).toContain(`# TYPE aivenator_${name} `);
    }
    expect(text).toContain('aivenator_aiven_applications_processed{synchronization_state="RolloutComplete"} 1');
    expect(text).toContain('aivenator_aiven_application_processing_time_seconds_bucket{le="3",synchronization_state="RolloutComplete"} 1');
    expect(text).toContain('aivenator_aiven_application_processing_time_seconds_bucket{le="39",synchronization_state="RolloutComplete"} 1');
    expect(text).toContain('aivenator_processing_reason{processing_reason="HashChanged"} 1');
    // Go's labels only; the service goes to a new series.
    expect(text).toContain('aivenator_service_users_updated{pool="dev-nais-dev"} 1');
    expect(text).toContain('aivenator_service_users_created{pool="dev-nais-dev"} 1');
    expect(text).toContain('aivenator_service_user_operations{pool="dev-nais-dev",service="valkey-team-cache",operation="updated"} 1');
    expect(text).toContain('aivenator_aiven_latency_count{operation="getService",status="200",pool="dev-nais-dev"} 1');
    expect(text).toContain('aivenator_secrets_managed{state="protected"} 2');
    expect(text).toContain('aivenator_secrets_managed{state="protected-with-time-limit"} 1');
    expect(text).toContain('aivenator_janitor_sweeps_skipped{scope="cluster",list="pods"} 1');
    expect(text).toContain('aivenator_kafka_certificate_expiry_timestamp_seconds{namespace="team",app="app"} 1900000000');
    // Not-written counts failures only: nothing failed here.
    expect(text).not.toMatch(/^aivenator_kubernetes_resources_not_written\{/m);
  });

  it('keeps service_users_count per pool as the reference (its Kafka service) and counts per service in a new series', async () => {
    const users: Record<string, string[]> = {
      'dev-nais-dev/kafka': ['team_app_0a1b2c3d_3Dx', 'avnadmin', 'old.user'],
      'dev-nais-dev/opensearch-team-logs': ['team-r-abc', 'avnadmin'],
    };
    const m = new AivenatorMetrics({ defaultMetrics: false, listServiceUsers: async (p, s) => users[`${p}/${s}`] ?? [] });
    await m.countUsers('dev-nais-dev/kafka');
    await m.countUsers('dev-nais-dev/opensearch-team-logs');
    const text = await m.registry.metrics();
    // The OpenSearch count does not overwrite the pool's Kafka count (the reference's bug), nor adds to it.
    expect(text).toContain('aivenator_service_users_count{pool="dev-nais-dev",username_convention="underscore"} 1');
    expect(text).toContain('aivenator_service_users_count{pool="dev-nais-dev",username_convention="dot"} 1');
    expect(text).toContain('aivenator_service_users_count{pool="dev-nais-dev",username_convention="other"} 1');
    expect(text).not.toMatch(/aivenator_service_users_count\{[^}]*service=/);
    expect(text).toContain('aivenator_service_users{pool="dev-nais-dev",service="kafka",username_convention="underscore"} 1');
    expect(text).toContain('aivenator_service_users{pool="dev-nais-dev",service="opensearch-team-logs",username_convention="other"} 2');
    m.stop();
  });

  it('recounts a service shortly after a user was created there', async () => {
    const list = jest.fn(async () => ['a_b_12345678_3Dx']);
    const m = new AivenatorMetrics({ defaultMetrics: false, listServiceUsers: list, userCountDebounceMs: 10 });
    m.serviceUserCreated('p', 's');
    m.serviceUserCreated('p', 's');
    await new Promise((r) => setTimeout(r, 50));
    expect(list).toHaveBeenCalledTimes(1);
    expect(await m.registry.metrics()).toContain('aivenator_service_users{pool="p",service="s",username_convention="underscore"} 1');
    m.stop();
  });

  it('recounts a busy service no more often than the minimum interval', async () => {
    const list = jest.fn(async () => ['a_b_12345678_3Dx']);
    const m = new AivenatorMetrics({ defaultMetrics: false, listServiceUsers: list, userCountDebounceMs: 10, userCountMinIntervalMs: 300 });
    m.serviceUserCreated('p', 's');
    await new Promise((r) => setTimeout(r, 50));
    expect(list).toHaveBeenCalledTimes(1);
    m.serviceUserCreated('p', 's');
    await new Promise((r) => setTimeout(r, 100));
    expect(list).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(list).toHaveBeenCalledTimes(2);
    m.stop();
  });

  it('classifies user names like the reference', () => {
    expect(usernameConvention('team_app_0a1b2c3d_3Dx')).toBe('underscore');
    expect(usernameConvention('team.app')).toBe('dot');
    expect(usernameConvention('app-r-3D_x'.replace('_x', ''))).toBe('other');
    // Go counts exactly three underscores; a suffix3 may hold '_' itself, and a dot only counts without three '_'.
    expect(usernameConvention('2_app-12_dcc693f2__CJ')).toBe('other');
    expect(usernameConvention('team-r-3D_')).toBe('other');
    expect(usernameConvention('a.b_c_d_e')).toBe('underscore');
  });

  it('names Kubernetes operations by verb and resource, without names or namespaces', () => {
    expect(kubeOperation('GET', 'https://h/api/v1/namespaces/t/secrets/s')).toBe('get secrets');
    expect(kubeOperation('GET', 'https://h/api/v1/secrets?labelSelector=x')).toBe('list secrets');
    expect(kubeOperation('PATCH', 'https://h/apis/aiven.nais.io/v1/namespaces/t/aivenapplications/a/status')).toBe('patch aivenapplications/status');
    expect(kubeOperation('POST', 'https://h/apis/events.k8s.io/v1/namespaces/t/events')).toBe('create events');
    expect(kubeOperation('DELETE', 'https://h/api/v1/namespaces/t/secrets/s')).toBe('delete secrets');
    expect(kubeOperation('GET', 'https://h/api/v1/namespaces/t')).toBe('get namespaces');
  });

  it('times calls of API clients made from an instrumented KubeConfig', async () => {
    const m = new AivenatorMetrics({ defaultMetrics: false });
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    const core = m.instrumentKubeConfig(kc).makeApiClient(k8s.CoreV1Api);
    await expect(core.readNamespacedSecret({ namespace: 'n', name: 's' })).rejects.toThrow();
    expect(await m.registry.metrics()).toContain('aivenator_kubernetes_latency_count{operation="get secrets"} 1');
  });
});

describe('the ops server', () => {
  it('parses listen addresses as the reference flag', () => {
    expect(parseListenAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListenAddress('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(() => parseListenAddress('8080')).toThrow(/listen address/);
  });

  it('serves /healthz, /readyz from the checks, and /metrics followed by the extra text', async () => {
    const m = new AivenatorMetrics({ defaultMetrics: false });
    m.kubernetesWritten('ns', 'Secret');
    const ops = await startOpsServer({ address: '127.0.0.1:0', registry: m.registry, extraMetrics: async () => '# TYPE temporal_worker_start counter\ntemporal_worker_start 1\n' });
    try {
      expect((await fetch(`${ops.url}/healthz`)).status).toBe(200);
      // No checks yet: not ready.
      expect((await fetch(`${ops.url}/readyz`)).status).toBe(503);
      let workerUp = false;
      ops.setReadiness('worker', () => workerUp);
      ops.setReadiness('controller', () => true);
      const notReady = await fetch(`${ops.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ ready: false, checks: { worker: false, controller: true } });
      workerUp = true;
      expect((await fetch(`${ops.url}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${ops.url}/metrics`)).text();
      expect(metrics).toContain('aivenator_kubernetes_resources_written{namespace="ns",resource_type="Secret"} 1');
      expect(metrics).toMatch(/\ntemporal_worker_start 1\n$/);
      ops.markShuttingDown();
      expect((await fetch(`${ops.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${ops.url}/nope`)).status).toBe(404);
    } finally {
      await ops.close();
    }
  });
});
