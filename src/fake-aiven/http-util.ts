// Small helpers over node:http: JSON bodies, JSON answers and path-segment routing.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpError, badRequest } from './errors';

const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the body as JSON; an empty body is undefined. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new FakeHttpError(413, 'Request body too large');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('Invalid JSON in request body');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Splits a raw path into URL-decoded segments, so `%2F` stays inside its segment. */
export function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw badRequest('Invalid URL encoding in path');
      }
    });
}

export interface Route<H> {
  method: string;
  /** Segments; a segment starting with ":" captures a parameter. */
  pattern: string[];
  handler: H;
}

export type RouteMatch<H> =
  | { kind: 'found'; route: Route<H>; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

export function route<H>(method: string, path: string, handler: H): Route<H> {
  return { method, pattern: path.split('/').filter((s) => s !== ''), handler };
}

export function matchRoute<H>(routes: Route<H>[], method: string, segments: string[]): RouteMatch<H> {
  let pathMatched = false;
  for (const r of routes) {
    const params = matchPattern(r.pattern, segments);
    if (params === undefined) continue;
    if (r.method === method) return { kind: 'found', route: r, params };
    pathMatched = true;
  }
  return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const s = segments[i];
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return params;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
