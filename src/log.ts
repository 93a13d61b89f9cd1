// Structured JSON logs (pino). Field names follow the reference's: component,
// aiven_application, team, app, secret_name, pool, service, handler.
import pino from 'pino';

export type Logger = pino.Logger;

/** Keys whose values never reach a log line, wherever they appear. */
const REDACT = [
  'password', '*.password', 'token', '*.token', 'access_key', '*.access_key', 'access_cert', '*.access_cert',
  'data', '*.data', 'stringData', '*.stringData', 'authorization', '*.authorization', 'headers', '*.headers',
];

export function createLogger(opts: { level?: string; component?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino({
    level: opts.level ?? process.env.AIVENATOR_LOG_LEVEL ?? 'info',
    base: { component: opts.component ?? 'aivenator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  }, opts.destination);
}
