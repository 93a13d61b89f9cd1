// The operations endpoint on AIVENATOR_METRICS_ADDRESS: /metrics (Aivenator's
// registry, followed by the Temporal SDK's metrics when they are enabled),
// /healthz (the process serves requests) and /readyz (every readiness check
// passes: the controller's watch has synced and it can signal Temporal, the
// worker is running). Advisory checks (Aiven's health) are reported in /readyz
// with their detail but do not make the process unready: an Aiven outage must
// not take the worker out of a rollout or restart it.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** true/false, or a verdict with a reason shown in /readyz. */
export type ReadinessCheck = () => boolean | { ok: boolean; detail?: string };

export interface OpsServerOptions {
  /** host:port as the reference's flag takes it; ":8080" listens on every interface, port 0 on a free port. */
  address: string;
  registry: Registry;
  /** More exposition text for /metrics (e.g. fetched from Temporal Core's Prometheus endpoint). */
  extraMetrics?: () => Promise<string>;
}

export interface OpsServer {
  /** The address actually bound, host:port. */
  address: string;
  url: string;
  /** Registers (or replaces) a named readiness check; an advisory one is reported but does not decide readiness. */
  setReadiness(name: string, check: ReadinessCheck, opts?: { advisory?: boolean }): void;
  /** From now on /readyz answers 503: used while shutting down. */
  markShuttingDown(): void;
  close(): Promise<void>;
}

export function parseListenAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`listen address must look like 127.0.0.1:8080 or :8080, not "${address}"`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port: Number(m[3]) };
}

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const checks = new Map<string, { check: ReadinessCheck; advisory: boolean }>();
  let shuttingDown = false;

  const readiness = () => {
    const results: Record<string, boolean> = {};
    const detail: Record<string, string> = {};
    let ready = !shuttingDown && [...checks.values()].some((c) => !c.advisory);
    for (const [name, { check, advisory }] of checks) {
      let verdict: ReturnType<ReadinessCheck>;
      try {
        verdict = check();
      } catch (err) {
        verdict = { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
      const ok = typeof verdict === 'boolean' ? verdict : verdict.ok;
      results[name] = ok;
      if (typeof verdict !== 'boolean' && verdict.detail) detail[name] = verdict.detail;
      if (!ok && !advisory) ready = false;
    }
    return { ready, checks: results, ...(Object.keys(detail).length > 0 ? { detail } : {}), ...(shuttingDown ? { shuttingDown } : {}) };
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const report = readiness();
      res.writeHead(report.ready ? 200 : 503, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(report)}\n`);
    } else if (path === '/metrics') {
      void metricsText(opts).then(
        (text) => res.writeHead(200, { 'Content-Type': opts.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
      );
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
    }
  });
  const { host, port } = parseListenAddress(opts.address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  const address = `${shownHost}:${bound.port}`;
  const urlHost = bound.address === '0.0.0.0' || bound.address === '::' ? '127.0.0.1' : shownHost;
  return {
    address,
    url: `http://${urlHost}:${bound.port}`,
    setReadiness: (name, check, o) => void checks.set(name, { check, advisory: o?.advisory ?? false }),
    markShuttingDown: () => void (shuttingDown = true),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function metricsText(opts: OpsServerOptions): Promise<string> {
  const own = await opts.registry.metrics();
  if (!opts.extraMetrics) return own;
  let extra: string;
  try {
    extra = await opts.extraMetrics();
  } catch (err) {
    extra = `# Temporal SDK metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`;
  }
  return `${own.endsWith('\n') ? own : `${own}\n`}${extra}`;
}
