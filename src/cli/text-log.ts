// AIVENATOR_LOG_FORMAT=text: pino's JSON lines made readable by pino-pretty,
// one line each: `[<time>] LEVEL: [component] message {fields}`. The fields
// are the same as in JSON (redaction happens before this). Synchronous, in
// this process: no worker thread, so nothing is lost on exit.
import type { DestinationStream } from 'pino';
import pretty, { PrettyOptions, prettyFactory } from 'pino-pretty';

function options(colorize: boolean): PrettyOptions {
  return {
    colorize,
    singleLine: true,
    // The time is already an ISO string (log.ts); shown as written.
    translateTime: false,
    ignore: 'pid,hostname,component',
    messageFormat: '{if component}[{component}] {end}{msg}',
  };
}

const formatLine = prettyFactory(options(false));

/** One pino JSON line as text; anything else unchanged. */
export function formatTextLine(jsonLine: string): string {
  return formatLine(jsonLine).trimEnd();
}

export function textDestination(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): DestinationStream {
  return pretty({ ...options(Boolean(stream.isTTY)), destination: stream, sync: true });
}
