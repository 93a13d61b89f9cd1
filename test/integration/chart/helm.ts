// helm (built by scripts/tools.sh) over charts/aivenator: render with values,
// lint, and apply what it renders to the test apiserver with a server-side dry run.
import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installCrds } from '../../../src/devworld/crds';
import { findTools } from '../../../src/devworld/tools';
import { adminKubeConfig } from '../../env/world';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CHART = path.join(ROOT, 'charts', 'aivenator');

export type Obj = k8s.KubernetesObject & { metadata: k8s.V1ObjectMeta & { name: string } } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function tool(name: 'helm' | 'monitoringCrds' | 'promql'): string {
  const file = findTools()[name];
  if (!file) throw new Error(`${name} missing from the tools' versions.json: run 'bash scripts/tools.sh'`);
  return file;
}

/** Runs helm; throws with its stderr when it fails. Offline: no repositories, no cluster. */
export function helm(args: string[]): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-home-'));
  const env = { ...process.env, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data'), KUBECONFIG: '/dev/null' };
  const res = spawnSync(tool('helm'), args, { cwd: ROOT, env, encoding: 'utf8' });
  fs.rmSync(home, { recursive: true, force: true });
  if (res.status !== 0) throw new Error(`helm ${args.join(' ')} failed (${res.status}):\n${res.stderr}${res.stdout}`);
  return res.stdout;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  values?: Record<string, unknown>;
  includeCrds?: boolean;
}

/** `helm template` with the values given as a values file (JSON is YAML). */
export function render(opts: RenderOptions = {}): Obj[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'values-')), 'values.json');
  fs.writeFileSync(file, JSON.stringify(opts.values ?? {}));
  try {
    const text = helm(['template', opts.release ?? 'aivenator', CHART, '--namespace', opts.namespace ?? 'aivenator', '--values', file, ...(opts.includeCrds ? ['--include-crds'] : [])]);
    return (k8s.loadAllYaml(text) as Obj[]).filter(Boolean);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

export const find = (objects: Obj[], kind: string, name?: string): Obj[] => objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

export function one(objects: Obj[], kind: string, name?: string): Obj {
  const found = find(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0];
}

/** The ServiceMonitor and PrometheusRule CRDs from the prometheus-operator module, installed once. */
export async function installMonitoringCrds(): Promise<string[]> {
  return installCrds(adminKubeConfig(), tool('monitoringCrds'));
}

/**
 * Server-side apply of every object with dryRun=All: the apiserver decodes,
 * defaults, validates (OpenAPI schemas, CRD schemas, RBAC escalation) and
 * admits each one, and persists nothing. Returns what it would have stored.
 */
export async function dryRunApply(objects: Obj[]): Promise<Obj[]> {
  const client = k8s.KubernetesObjectApi.makeApiClient(adminKubeConfig());
  const applied: Obj[] = [];
  for (const obj of objects) {
    try {
      applied.push((await client.patch(obj, undefined, 'All', 'aivenator-chart-test', true, k8s.PatchStrategy.ServerSideApply)) as Obj);
    } catch (err) {
      const body = err instanceof k8s.ApiException ? String(err.body) : String(err);
      throw new Error(`${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name} was refused: ${body}`);
    }
  }
  return applied;
}

/** Whether the apiserver holds the object (after a dry run it must not). */
export async function exists(obj: Obj): Promise<boolean> {
  const client = k8s.KubernetesObjectApi.makeApiClient(adminKubeConfig());
  try {
    await client.read({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace } });
    return true;
  } catch (err) {
    if (err instanceof k8s.ApiException && err.code === 404) return false;
    throw err;
  }
}


export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface ParsedExpr {
  /** Prometheus's parse error, if the expression is not valid PromQL. */
  error?: string;
  /** Every vector selector: the metric name and its label matchers. */
  selectors: { metric: string; matchers: Matcher[] }[];
}

/** Parses PromQL with Prometheus's own parser (test/tools/promql, built by tools.sh). */
export function parsePromql(exprs: string[]): ParsedExpr[] {
  const res = spawnSync(tool('promql'), [], { input: JSON.stringify(exprs), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`promql failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout) as ParsedExpr[];
}
