// The deployment files parse and carry what production needs: deploy/ (RBAC,
// ServiceAccounts, Deployments, kustomization), the Dockerfile (there is no
// Docker engine here, so it is checked as text) and docker-compose.yml. The
// ClusterRoles are also checked against every Kubernetes API call in the
// sources; test/integration/deploy/rbac.test.ts runs Aivenator under them.
import * as k8s from '@kubernetes/client-node';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../../src/temporal/search-attributes';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DEPLOY = path.join(ROOT, 'deploy');

type Obj = k8s.KubernetesObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? [path.join(dir, e.name)] : [],
  );
}

function load(file: string): Obj[] {
  return (k8s.loadAllYaml(fs.readFileSync(file, 'utf8')) as Obj[]).filter(Boolean);
}

const objects = yamlFiles(DEPLOY).filter((f) => !f.endsWith('kustomization.yaml')).flatMap((f) => load(f).map((o) => ({ file: path.relative(ROOT, f), o })));
const byKind = (kind: string) => objects.filter(({ o }) => o.kind === kind).map(({ o }) => o);
const deployment = (component: string) => byKind('Deployment').find((d) => d.metadata?.labels?.['app.kubernetes.io/component'] === component)!;

describe('deploy/', () => {
  it('every document has apiVersion, kind and a name', () => {
    expect(objects.length).toBeGreaterThan(8);
    for (const { file, o } of objects) {
      expect({ file, apiVersion: typeof o.apiVersion, kind: typeof o.kind, name: typeof o.metadata?.name }).toEqual({ file, apiVersion: 'string', kind: 'string', name: 'string' });
    }
  });

  it('kustomization lists files that exist, with the AivenApplication CRD, RBAC and both Deployments', () => {
    const kustomization = load(path.join(DEPLOY, 'kustomization.yaml'))[0] as { resources: string[] };
    for (const r of kustomization.resources) expect(fs.existsSync(path.join(DEPLOY, r))).toBe(true);
    expect(kustomization.resources).toEqual(expect.arrayContaining(['crds/aiven.nais.io_aivenapplications.yaml', 'rbac/worker-clusterrole.yaml', 'rbac/controller-clusterrole.yaml', 'controller.yaml', 'worker.yaml']));
  });

  it('binds each ClusterRole to a ServiceAccount that exists, and each Deployment runs as one', () => {
    const accounts = byKind('ServiceAccount').map((sa) => `${sa.metadata!.namespace}/${sa.metadata!.name}`);
    const roles = byKind('ClusterRole').map((r) => r.metadata!.name);
    expect(roles.sort()).toEqual(['aivenator-controller', 'aivenator-worker']);
    for (const binding of byKind('ClusterRoleBinding')) {
      expect(roles).toContain(binding.roleRef.name);
      for (const s of binding.subjects) expect(accounts).toContain(`${s.namespace}/${s.name}`);
    }
    for (const component of ['controller', 'worker']) {
      const d = deployment(component);
      expect(accounts).toContain(`${d.metadata!.namespace}/${d.spec.template.spec.serviceAccountName}`);
    }
  });

  it.each(['controller', 'worker'])('the %s Deployment: image, command, probes, resources, non-root and read-only', (component) => {
    const d = deployment(component);
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
    expect(c.image).toMatch(/^aivenator:\d+\.\d+\.\d+$/);
    expect(c.args).toEqual([component]);
    const port = c.ports.find((p: { name: string }) => p.name === 'metrics');
    expect(port.containerPort).toBe(8080);
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'AIVENATOR_METRICS_ADDRESS', value: '0.0.0.0:8080' }, expect.objectContaining({ name: 'TEMPORAL_ADDRESS' })]));
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits.memory).toEqual(expect.any(String));
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(d.spec.template.metadata.annotations['prometheus.io/port']).toBe('8080');
  });

  it('gives the Aiven token to the worker only, from a Secret', () => {
    const token = (component: string) => deployment(component).spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'AIVENATOR_AIVEN_TOKEN');
    expect(token('worker')).toEqual({ name: 'AIVENATOR_AIVEN_TOKEN', valueFrom: { secretKeyRef: { name: 'aivenator-aiven', key: 'token' } } });
    expect(token('controller')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// RBAC against the sources
// ---------------------------------------------------------------------------

interface Need {
  group: string;
  resource: string;
  verb: string;
  where: string;
}

const CORE_KINDS: Record<string, [string, string]> = {
  Secret: ['', 'secrets'], Pod: ['', 'pods'], Namespace: ['', 'namespaces'], ConfigMap: ['', 'configmaps'],
  ReplicaSet: ['apps', 'replicasets'], Deployment: ['apps', 'deployments'], StatefulSet: ['apps', 'statefulsets'], DaemonSet: ['apps', 'daemonsets'],
  Job: ['batch', 'jobs'], CronJob: ['batch', 'cronjobs'], Event: ['events.k8s.io', 'events'],
};
const VERBS: Record<string, string> = { list: 'list', read: 'get', get: 'get', create: 'create', patch: 'patch', replace: 'update', delete: 'delete' };

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The API calls a file makes through KubeClients (`kube.core.readNamespacedSecret(...)` and the like), and informers. */
/** Helpers no runtime code calls (the tests read events through their own clients). */
const UNUSED_HELPERS = [/export async function listEvents\([\s\S]*?\n}\n/];

function needsOf(file: string): Need[] {
  const text = UNUSED_HELPERS.reduce((t, re) => t.replace(re, ''), fs.readFileSync(file, 'utf8'));
  const where = path.relative(ROOT, file);
  const needs: Need[] = [];
  for (const m of text.matchAll(/kube\.(core|apps|batch|events|custom)\.(list|read|get|create|patch|replace|delete)([A-Za-z]+)\(/g)) {
    const [, api, op, rest] = m;
    const verb = VERBS[op];
    if (api === 'custom') {
      const status = rest.endsWith('Status');
      // Custom objects: AIVENAPP-spread calls are AivenApplications; the others are the aiven.io instances.
      // The arguments, which may run over a few lines.
      const line = text.slice(m.index, m.index + 300).split(/\)\s*[;,]|\n\s*\n/)[0];
      if (/AIVENAPP/.test(line)) needs.push({ group: 'aiven.nais.io', resource: status ? 'aivenapplications/status' : 'aivenapplications', verb, where });
      else if (/aiven\.io/.test(line)) for (const r of ['opensearches', 'valkeys']) needs.push({ group: 'aiven.io', resource: r, verb, where });
      else throw new Error(`${where}: a custom object call whose resource this test cannot tell: ${line.trim()}`);
      continue;
    }
    const kind = rest.replace(/^Namespaced/, '').replace(/ForAllNamespaces$/, '').replace(/Status$/, '');
    const gr = CORE_KINDS[kind];
    if (!gr) throw new Error(`${where}: unknown kind ${kind} in ${m[0]}`);
    needs.push({ group: gr[0], resource: gr[1], verb, where });
    // Server-side apply creates the object when it is missing: that needs create too.
    if (op === 'patch' && /serverSideApply/.test(text.slice(m.index, m.index + 400))) needs.push({ group: gr[0], resource: gr[1], verb: 'create', where });
  }
  if (/makeInformer[^(]*\(|new Watch[<(]/.test(text)) {
    // Informers (directly or through src/controller/watch.ts) list and watch the path they are given.
    if (/aivenapplications|AIVENAPP\.plural/.test(text)) needs.push({ group: 'aiven.nais.io', resource: 'aivenapplications', verb: 'watch', where });
    if (/\/secrets`/.test(text)) needs.push({ group: '', resource: 'secrets', verb: 'watch', where });
  }
  // The worker's informer caches (src/kube/cache) watch what they list.
  if (/new InformerCache[<(]/.test(text)) for (const n of needs.filter((n) => n.verb === 'list')) needs.push({ ...n, verb: 'watch' });
  return needs;
}

function allows(role: Obj, need: Need): boolean {
  return (role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]).some(
    (r) => r.apiGroups.includes(need.group) && r.resources.includes(need.resource) && (r.verbs.includes(need.verb) || r.verbs.includes('*')),
  );
}

describe('the ClusterRoles cover every Kubernetes API call in the sources', () => {
  const role = (name: string) => byKind('ClusterRole').find((r) => r.metadata!.name === name)!;
  const controllerFiles = sourceFiles(path.join(ROOT, 'src', 'controller'));
  const workerFiles = [
    ...sourceFiles(path.join(ROOT, 'activities')),
    ...sourceFiles(path.join(ROOT, 'src')).filter((f) => !/src\/(controller|cli|devworld|fake-aiven)\//.test(f)),
  ];

  it('the controller role: the watches in src/controller', () => {
    const needs = controllerFiles.flatMap(needsOf);
    expect(needs.map((n) => `${n.verb} ${n.resource}`)).toEqual(expect.arrayContaining(['watch aivenapplications', 'list aivenapplications']));
    expect(needs.filter((n) => !allows(role('aivenator-controller'), n))).toEqual([]);
  });

  it('the worker role: every call the activities make (src/kube, src/janitor, activities/)', () => {
    const needs = workerFiles.flatMap(needsOf);
    expect(needs.length).toBeGreaterThan(10);
    expect(needs.filter((n) => !allows(role('aivenator-worker'), n))).toEqual([]);
  });

  it('grants nothing beyond those calls (least privilege)', () => {
    const needed = new Set([...controllerFiles, ...workerFiles].flatMap(needsOf).map((n) => `${n.group}/${n.resource}/${n.verb}`));
    for (const name of ['aivenator-controller', 'aivenator-worker']) {
      for (const rule of role(name).rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
        for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) {
          expect({ role: name, grant: `${g}/${r}/${v}`, used: needed.has(`${g}/${r}/${v}`) }).toEqual({ role: name, grant: `${g}/${r}/${v}`, used: true });
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------
// Dockerfile and docker-compose.yml
// ---------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}

function dockerfile(): Instruction[] {
  const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const instructions = dockerfile();
  const stages = instructions.reduce<Instruction[][]>((acc, i) => (i.op === 'FROM' ? [...acc, [i]] : (acc[acc.length - 1].push(i), acc)), []);
  const final = stages[stages.length - 1];

  it('is multi-stage: builds on node:22 and ships a distroless Node.js 22 LTS image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0][0].args).toMatch(/^node:22(-slim)? AS build$/);
    expect(final[0].args).toMatch(/^gcr\.io\/distroless\/nodejs22-debian12:nonroot$/);
  });

  it('runs as a non-root user with an exec-form ENTRYPOINT of the CLI', () => {
    const user = final.filter((i) => i.op === 'USER').pop();
    expect(user).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    const entrypoint = final.find((i) => i.op === 'ENTRYPOINT')!;
    expect(JSON.parse(entrypoint.args)).toEqual(['/nodejs/bin/node', 'dist/src/cli/main.js']);
    expect(JSON.parse(final.find((i) => i.op === 'CMD')!.args)).toEqual(['run']);
  });

  it('pre-bundles the workflows, prunes dev dependencies and points the worker at the bundle', () => {
    const build = stages[0].map((i) => i.args).join('\n');
    expect(build).toMatch(/npm ci/);
    expect(build).toMatch(/tsc -p tsconfig\.build\.json/);
    expect(build).toMatch(/main\.js bundle dist\/workflow-bundle\.js/);
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(final.find((i) => i.op === 'ENV')!.args).toMatch(/AIVENATOR_WORKFLOW_BUNDLE=\/app\/dist\/workflow-bundle\.js/);
  });

  it('copies only files that exist, and .dockerignore keeps the rest out', () => {
    for (const copy of stages[0].filter((i) => i.op === 'COPY')) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) expect(fs.existsSync(path.join(ROOT, src))).toBe(true);
    }
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', 'test', '.sandbox']));
  });
});

describe('docker-compose.yml', () => {
  const compose = load(path.join(ROOT, 'docker-compose.yml'))[0] as unknown as { services: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const services = compose.services;

  it('runs PostgreSQL, the Temporal server, its UI, a worker and a controller', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'aivenator-worker', 'aivenator-controller']));
    expect(services.postgresql.image).toMatch(/^postgres:\d+/);
    expect(services.temporal.image).toMatch(/^temporalio\/(server|auto-setup):\d+\.\d+\.\d+$/);
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(services['temporal-ui'].environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('pins every image (no :latest, no untagged)', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.image) continue;
      expect({ name, image: s.image }).toEqual({ name, image: expect.stringMatching(/:[\w.-]+$/) });
      expect(s.image).not.toMatch(/:latest$/);
    }
  });

  it('registers the search attributes the workflows upsert', () => {
    const setup = JSON.stringify(services['temporal-setup']);
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) expect(setup).toContain(name);
  });

  it('starts the worker and the controller from this image, against a mounted kubeconfig, after Temporal is set up', () => {
    for (const [name, command] of [['aivenator-worker', 'worker'], ['aivenator-controller', 'controller']] as const) {
      const s = services[name];
      expect(s.command).toEqual([command]);
      expect(s.image).toBe(services['aivenator-worker'].image);
      expect(s.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', KUBECONFIG: '/kube/config', AIVENATOR_METRICS_ADDRESS: '0.0.0.0:8080' });
      expect(s.volumes).toEqual([expect.stringMatching(/:\/kube\/config:ro$/)]);
      expect(s.depends_on['temporal-setup']).toEqual({ condition: 'service_completed_successfully' });
      expect(JSON.stringify(s.healthcheck.test)).toContain('/readyz');
    }
    expect(services['aivenator-worker'].build).toBe('.');
    expect(services['aivenator-worker'].environment.AIVENATOR_AIVEN_TOKEN).toMatch(/^\$\{AIVENATOR_AIVEN_TOKEN:\?/);
    expect(services['aivenator-controller'].environment.AIVENATOR_AIVEN_TOKEN).toBeUndefined();
  });
});
