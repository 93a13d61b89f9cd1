// Installs the Temporal SDK runtime once per process: its logs go through our
// pino logger, and its metrics (worker task slots, poll latencies, activity
// and workflow task counts, sticky cache, ...) go to a Prometheus endpoint
// that Core serves on a loopback port of its own. The ops server appends that
// endpoint's text to /metrics, so one scrape target carries both.
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import * as net from 'node:net';
import type { Logger } from '../log';

export interface TemporalRuntimeOptions {
  log: Logger;
  /**
   * Where Core serves its Prometheus metrics: host:port, "" or "off" to turn
   * them off. Default: a free loopback port (then only reachable through /metrics).
   */
  metricsAddress?: string;
}

export interface InstalledTemporalRuntime {
  /** Core's metrics endpoint, or undefined when metrics are off. */
  metricsUrl?: string;
  /** Fetches Core's metrics text (for the ops server's /metrics). */
  fetchMetrics?: () => Promise<string>;
}

export async function installTemporalRuntime(opts: TemporalRuntimeOptions): Promise<InstalledTemporalRuntime> {
  let bindAddress = opts.metricsAddress;
  if (bindAddress === undefined) bindAddress = `127.0.0.1:${await loopbackPort()}`;
  const metricsOn = bindAddress !== '' && bindAddress !== 'off';
  Runtime.install({
    logger: pinoTemporalLogger(opts.log.child({ component: 'temporal-sdk' })),
    // Aivenator handles SIGTERM/SIGINT itself: controller first, then the worker.
    shutdownSignals: [],
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      ...(metricsOn ? { metrics: { prometheus: { bindAddress, useSecondsForDurations: true } } } : {}),
    },
  });
  if (!metricsOn) return {};
  const metricsUrl = `http://${bindAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^:/, '127.0.0.1:')}/metrics`;
  return {
    metricsUrl,
    fetchMetrics: async () => {
      const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`Temporal SDK metrics endpoint answered ${res.status}`);
      return res.text();
    },
  };
}

/** A loopback port free right now (the OS picks it); Core binds it a moment later. */
function loopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The SDK warns "No workflows registered, not polling for workflow tasks" for
 * a worker without workflows, and has no option to say that is intended. The
 * `<queue>-aiven` worker (activities only) is such a worker; any other still warns.
 */
export function isExpectedNoWorkflows(message: string, meta?: LogMetadata): boolean {
  return message.startsWith('No workflows registered') && typeof meta?.taskQueue === 'string' && meta.taskQueue.endsWith('-aiven');
}

/** The SDK's Logger interface over pino. */
export function pinoTemporalLogger(log: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    // The workflow bundler's webpack report (many lines) is debug material, not an event;
    // so is the warning of the Aiven-queue worker, which has no workflows by design.
    const pinoLevel = (level === 'INFO' && message.includes('\n')) || isExpectedNoWorkflows(message, meta) ? 'debug' : LEVELS[level] ?? 'info';
    log[pinoLevel](meta ?? {}, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
