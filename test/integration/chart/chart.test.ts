// charts/aivenator: helm lint, helm template with the default values and with
// every option turned the other way, each rendering applied to the real
// kube-apiserver with a server-side dry run (the monitoring CRDs installed from
// the prometheus-operator module), values that contradict each other refused,
// and deploy/aivenator.yaml checked to be what the chart renders today.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { freshNamespace } from '../../env/world';
import { CHART, Obj, ROOT, dryRunApply, exists, find, helm, installMonitoringCrds, one, parsePromql, render } from './helm';

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
/** The component's Deployment, whatever the release's name prefix. */
const container = (objects: Obj[], component: string) =>
  one(find(objects, 'Deployment').filter((d) => d.metadata.name.endsWith(`aivenator-${component}`)), 'Deployment').spec.template.spec.containers[0];
const envOf = (objects: Obj[], component: string) => Object.fromEntries((container(objects, component).env as Env[]).map((e) => [e.name, e.value ?? e.valueFrom]));
const kinds = (objects: Obj[]) => objects.map((o) => o.kind).sort();

/** Every option away from its default. */
const PRODUCTION = {
  image: { repository: 'registry.example.com/aivenator', tag: '9.9.9' },
  aiven: { tokenSecret: { name: 'aiven-api', key: 'api-token' }, projects: ['nav-prod', 'nav-infra'], mainProject: 'nav-prod', url: 'https://api.aiven.example', rateLimit: '5', serviceUserLimit: 1000 },
  temporal: {
    address: 'aivenator.abcde.tmprl.cloud:7233',
    namespace: 'aivenator.abcde',
    taskQueue: 'aivenator-prod',
    apiKey: { secretName: 'temporal-api-key', key: 'key' },
    tls: { enabled: true, serverName: 'aivenator.abcde.tmprl.cloud', secretName: 'temporal-tls', caKey: 'ca.crt', certKey: 'tls.crt', keyKey: 'tls.key' },
  },
  extraEnv: [{ name: 'AIVENATOR_LOG_LEVEL', value: 'warn' }, { name: 'NODE_OPTIONS', value: '--max-old-space-size=700' }],
  controller: { replicas: 2, extraEnv: [{ name: 'AIVENATOR_LOG_LEVEL', value: 'debug' }, { name: 'NODE_OPTIONS', value: '--max-old-space-size=400' }] },
  worker: { replicas: 1 },
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
  prometheusRule: { enabled: true, labels: { release: 'prometheus' }, alertLabels: { team: 'nais' }, dashboardUrl: 'https://grafana.example/d/aivenator' },
  networkPolicy: { metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
  imagePullSecrets: [{ name: 'registry' }],
};

describe('charts/aivenator', () => {
  beforeAll(async () => {
    await installMonitoringCrds();
  }, 60_000);

  it('passes helm lint, with the default values and with every option changed', () => {
    expect(helm(['lint', '--strict', CHART])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    const values = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lint-')), 'values.json');
    fs.writeFileSync(values, JSON.stringify(PRODUCTION));
    expect(helm(['lint', '--strict', CHART, '--values', values])).toMatch(/0 chart\(s\) failed/);
  });

  it('default values: applies to the apiserver (server-side dry run), and nothing is stored', async () => {
    const namespace = await freshNamespace('chart');
    // A release name of its own: the RBAC tests apply the chart's cluster-scoped objects for real under the default name.
    const objects = render({ namespace, release: namespace });
    expect(kinds(objects)).toEqual(['ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Service', 'ServiceAccount', 'ServiceAccount']);
    const applied = await dryRunApply(objects);
    // What the apiserver would store: defaulted, and the env as rendered.
    const worker = one(applied, 'Deployment', `${namespace}-aivenator-worker`);
    expect(worker.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(worker.spec.strategy.type).toBe('RollingUpdate');
    expect(envOf(objects, 'controller')).toMatchObject({ TEMPORAL_ADDRESS: 'temporal-frontend.temporal.svc:7233', TEMPORAL_NAMESPACE: 'default', AIVENATOR_TASK_QUEUE: 'aivenator' });
    expect(envOf(objects, 'controller')).not.toHaveProperty('TEMPORAL_TLS');
    for (const obj of objects) expect({ obj: `${obj.kind}/${obj.metadata.name}`, stored: await exists(obj) }).toEqual({ obj: `${obj.kind}/${obj.metadata.name}`, stored: false });
  });

  it('every option changed: TLS with CA and client certificate, API key, ServiceMonitor, PrometheusRule', async () => {
    const namespace = await freshNamespace('chart');
    const objects = render({ namespace, release: 'prod', values: PRODUCTION });
    expect(find(objects, 'ServiceMonitor')).toHaveLength(1);
    expect(find(objects, 'PrometheusRule')).toHaveLength(1);
    const applied = await dryRunApply(objects);
    expect(applied.map((o) => o.kind).sort()).toEqual(kinds(objects));

    const names = (kind: string) => find(objects, kind).map((o) => o.metadata.name).sort();
    expect(names('Deployment')).toEqual(['prod-aivenator-controller', 'prod-aivenator-worker']);
    const deployment = (component: string) => one(objects, 'Deployment', `prod-aivenator-${component}`);
    for (const component of ['controller', 'worker']) {
      const pod = deployment(component).spec.template.spec;
      const c = pod.containers[0];
      const env = Object.fromEntries((c.env as Env[]).map((e) => [e.name, e.value ?? e.valueFrom]));
      expect(c.image).toBe('registry.example.com/aivenator:9.9.9');
      expect(env).toMatchObject({
        TEMPORAL_ADDRESS: 'aivenator.abcde.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'aivenator.abcde',
        AIVENATOR_TASK_QUEUE: 'aivenator-prod',
        TEMPORAL_API_KEY: { secretKeyRef: { name: 'temporal-api-key', key: 'key' } },
        TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_SERVER_NAME: 'aivenator.abcde.tmprl.cloud',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/aivenator/temporal-tls/ca.crt',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/aivenator/temporal-tls/tls.crt',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/aivenator/temporal-tls/tls.key',
      });
      expect(c.volumeMounts).toContainEqual({ name: 'temporal-tls', mountPath: '/etc/aivenator/temporal-tls', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'temporal-tls', secret: { secretName: 'temporal-tls', defaultMode: 0o400 } });
      expect(pod.imagePullSecrets).toEqual([{ name: 'registry' }]);
      expect(pod.serviceAccountName).toBe(`prod-aivenator-${component}`);
    }
    const workerEnv = Object.fromEntries((deployment('worker').spec.template.spec.containers[0].env as Env[]).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(workerEnv).toMatchObject({ AIVENATOR_AIVEN_TOKEN: { secretKeyRef: { name: 'aiven-api', key: 'api-token' } }, AIVENATOR_PROJECTS: 'nav-prod nav-infra', AIVENATOR_MAIN_PROJECT: 'nav-prod', AIVENATOR_AIVEN_URL: 'https://api.aiven.example', AIVENATOR_AIVEN_RATE_LIMIT: '5' });
    // extraEnv replaces the chart's variable of the same name (the apiserver refuses a name twice); the last definition wins.
    const controllerEnv = deployment('controller').spec.template.spec.containers[0].env as Env[];
    expect(controllerEnv.filter((e) => e.name === 'AIVENATOR_LOG_LEVEL')).toEqual([{ name: 'AIVENATOR_LOG_LEVEL', value: 'debug' }]);
    expect(controllerEnv.filter((e) => e.name === 'NODE_OPTIONS')).toEqual([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=400' }]);
    const workerEnv2 = deployment('worker').spec.template.spec.containers[0].env as Env[];
    expect(workerEnv2.filter((e) => e.name === 'AIVENATOR_LOG_LEVEL').map((e) => e.value)).toEqual(['warn']);
    // Two controllers: keep one through a drain; one worker may move.
    expect(one(objects, 'PodDisruptionBudget', 'prod-aivenator-controller').spec).toMatchObject({ minAvailable: 1 });
    expect(one(objects, 'PodDisruptionBudget', 'prod-aivenator-worker').spec).toMatchObject({ maxUnavailable: 1 });

    const monitor = one(objects, 'ServiceMonitor');
    expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus' });
    const service = one(objects, 'Service');
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels![k]).toBe(v);
    expect(monitor.spec.endpoints[0].port).toBe(service.spec.ports[0].name);
    const rule = one(objects, 'PrometheusRule');
    const alerts = rule.spec.groups[0].rules as { alert: string; expr: string; labels: Record<string, string> }[];
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining(['AivenatorIsSlow', 'AivenatorIsFailingSomeRollouts', 'AivenatorIsFailing', 'AivenServiceUserLimit', 'AivenatorFinalizerStuck', 'AivenatorUsersAwaitingRetirement', 'AivenatorRepairsDrift', 'AivenatorTemporalUnreachable']));
    for (const a of alerts) expect(a.labels).toMatchObject({ team: 'nais' });
    expect(alerts.find((a) => a.alert === 'AivenServiceUserLimit')!.expr).toBe('sum by (pool) (aivenator_service_users_count{pool=~"nav-prod|nav-infra"}) >= 1000 * 0.9');
    // Valid PromQL with these values too (Prometheus's parser; the CRD does not check expressions).
    expect(parsePromql(alerts.map((a) => a.expr)).map((p, i) => ({ alert: alerts[i].alert, error: p.error }))).toEqual(alerts.map((a) => ({ alert: a.alert, error: undefined })));
    // The apiserver kept the rule as rendered (the CRD's schema prunes unknown fields).
    expect(one(applied, 'PrometheusRule').spec).toEqual(rule.spec);
  });

  it('toggles: NetworkPolicy, PodDisruptionBudgets, dashboard and monitoring objects off', async () => {
    const namespace = await freshNamespace('chart');
    const objects = render({ namespace, values: { networkPolicy: { enabled: false }, podDisruptionBudget: { enabled: false }, dashboard: { enabled: false }, metrics: { serviceMonitor: { enabled: false } }, prometheusRule: { enabled: false } } });
    expect(kinds(objects)).toEqual(['ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'Deployment', 'Deployment', 'Service', 'ServiceAccount', 'ServiceAccount']);
    await dryRunApply(objects);
  });

  it('namespace-scoped: Roles in the watched namespace only, and the controller watches it alone', async () => {
    const [namespace, watched] = [await freshNamespace('chart'), await freshNamespace('chart-team')];
    const objects = render({ namespace, values: { watchNamespace: watched, temporal: { tls: { enabled: true } } } });
    expect(find(objects, 'ClusterRole')).toEqual([]);
    expect(find(objects, 'ClusterRoleBinding')).toEqual([]);
    for (const kind of ['Role', 'RoleBinding']) expect(find(objects, kind).map((o) => o.metadata.namespace)).toEqual([watched, watched]);
    for (const binding of find(objects, 'RoleBinding')) expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: binding.metadata.name, namespace }]);
    expect(envOf(objects, 'controller')).toMatchObject({ AIVENATOR_WATCH_NAMESPACE: watched, TEMPORAL_TLS: 'true' });
    // TLS with the system trust store: no Secret to mount.
    expect(envOf(objects, 'worker')).not.toHaveProperty('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
    expect(container(objects, 'worker').volumeMounts.map((m: { name: string }) => m.name)).toEqual(['tmp']);
    await dryRunApply(objects);
  });

  it.each([
    ['a client certificate without its key', { temporal: { tls: { enabled: true, secretName: 's', certKey: 'tls.crt' } } }, /certKey and temporal.tls.keyKey go together/],
    ['a key without its certificate', { temporal: { tls: { enabled: true, secretName: 's', keyKey: 'tls.key' } } }, /certKey and temporal.tls.keyKey go together/],
    ['TLS files without the Secret', { temporal: { tls: { enabled: true, caKey: 'ca.crt' } } }, /temporal.tls.secretName is required/],
    ['TLS files with TLS off', { temporal: { tls: { secretName: 's', caKey: 'ca.crt' } } }, /temporal.tls.enabled must be true/],
    ['no Temporal address', { temporal: { address: '' } }, /temporal.address is required/],
    ['no main project', { aiven: { mainProject: '' } }, /aiven.mainProject is required/],
    // values.schema.json: typos and values Aivenator would refuse at start.
    ['a misspelt value', { temporal: { adress: 'temporal:7233' } }, /additional properties 'adress' not allowed/],
    ['an unknown log format', { log: { format: 'xml' } }, /\/log\/format/],
    ['a duration Aivenator cannot read', { driftInterval: '1 hour' }, /\/driftInterval/],
    ['no Kafka pool', { aiven: { projects: [] } }, /\/aiven\/projects/],
  ])('refuses %s', (_what, values, message) => {
    expect(() => render({ values })).toThrow(message);
  });

  it('deploy/aivenator.yaml is what scripts/render-deploy.sh renders from the chart today', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-')), 'aivenator.yaml');
    execFileSync('bash', [path.join(ROOT, 'scripts', 'render-deploy.sh'), out], { cwd: ROOT });
    expect(fs.readFileSync(path.join(ROOT, 'deploy', 'aivenator.yaml'), 'utf8')).toBe(fs.readFileSync(out, 'utf8'));
  });
});
