// The Kubernetes API clients the activities and the controller share.
import * as k8s from '@kubernetes/client-node';
import * as https from 'node:https';

export interface KubeClients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
  events: k8s.EventsV1Api;
  apps: k8s.AppsV1Api;
  batch: k8s.BatchV1Api;
}

export function makeKubeClients(kc: k8s.KubeConfig): KubeClients {
  keepConnections(kc);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    events: kc.makeApiClient(k8s.EventsV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
  };
}

const pooled = new WeakSet<k8s.KubeConfig>();

/**
 * client-node builds a new https.Agent for every request, so every call paid a
 * TLS handshake on both ends (profiled: ~10% of the worker's CPU). One
 * keep-alive agent with the same TLS options serves every request instead.
 */
function keepConnections(kc: k8s.KubeConfig): void {
  if (pooled.has(kc)) return;
  pooled.add(kc);
  const apply = kc.applySecurityAuthentication.bind(kc);
  let shared: https.Agent | undefined;
  kc.applySecurityAuthentication = async (context) => {
    await apply(context);
    const fresh = context.getAgent();
    if (!(fresh instanceof https.Agent) || kc.getCurrentCluster()?.proxyUrl) return;
    shared ??= new https.Agent({ ...fresh.options, keepAlive: true });
    context.setAgent(shared);
  };
}

export function isKubeError(err: unknown, code?: number): err is k8s.ApiException<unknown> {
  return err instanceof k8s.ApiException && (code === undefined || err.code === code);
}

/** A safe one-line description of a Kubernetes API error: the Status message only, never bodies or headers. */
export function describeKubeError(err: unknown): string {
  if (err instanceof k8s.ApiException) {
    const body = parseBody(err.body);
    return `Kubernetes API ${err.code}${body?.reason ? ` ${body.reason}` : ''}: ${body?.message ?? 'no message'}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function parseBody(body: unknown): { message?: string; reason?: string } | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { message?: string; reason?: string };
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as { message?: string; reason?: string }) : undefined;
}

export const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
export const serverSideApply = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);
export const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);

/** The field manager for server-side apply and the reporting controller of events. */
export const FIELD_MANAGER = 'aivenator';
