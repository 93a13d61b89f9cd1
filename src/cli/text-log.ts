// AIVENATOR_LOG_FORMAT=text: pino's JSON lines turned into one readable line
// each, `<time> <LEVEL> [component] message key=value ...`, without pino-pretty.
// The fields are the same as in JSON (redaction happens before this).
import type { DestinationStream } from 'pino';

const SKIP = new Set(['time', 'level', 'msg', 'component', 'pid', 'hostname']);

export function formatTextLine(jsonLine: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.trimEnd();
  }
  const fields = Object.entries(record)
    .filter(([key, value]) => !SKIP.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  const level = String(record.level ?? 'info').toUpperCase().padEnd(5);
  const component = record.component ? ` [${String(record.component)}]` : '';
  return [`${String(record.time ?? new Date().toISOString())} ${level}${component} ${String(record.msg ?? '')}`.trimEnd(), ...fields].join(' ');
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

export function textDestination(stream: NodeJS.WritableStream = process.stdout): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) stream.write(`${formatTextLine(line)}\n`);
    },
  };
}
