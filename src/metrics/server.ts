// The operations endpoint on AIVENATOR_METRICS_ADDRESS: /metrics (Aivenator's
// registry, followed by the Temporal SDK's metrics when they are enabled),
// /healthz (the process serves requests) and /readyz (every readiness check
// passes: the controller's watch has synced, the worker is running).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => boolean;

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
  /** Registers (or replaces) a named readiness check. */
  setReadiness(name: string, check: ReadinessCheck): void;
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
  const checks = new Map<string, ReadinessCheck>();
  let shuttingDown = false;

  const readiness = () => {
    const results: Record<string, boolean> = {};
    for (const [name, check] of checks) {
      try {
        results[name] = check();
      } catch {
        results[name] = false;
      }
    }
    const ready = !shuttingDown && checks.size > 0 && Object.values(results).every(Boolean);
    return { ready, checks: results, ...(shuttingDown ? { shuttingDown } : {}) };
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
    setReadiness: (name, check) => void checks.set(name, check),
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
