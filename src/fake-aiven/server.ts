// The HTTP server: /v1 (Aiven, with auth, knobs and the request log) and
// /_fake (control API). Plain node:http; one pipeline per side.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { aivenRoutes, type AivenHandler } from './aiven-api';
import { controlRoutes, type ControlHandler } from './control-api';
import { FakeHttpError, authenticationFailed, errorBody } from './errors';
import { isRecord, matchRoute, pathSegments, readJson, sendJson, sleep, type Route } from './http-util';
import type { Knobs } from './knobs';
import type { RequestLog } from './request-log';
import type { FakeStore } from './store';
import type { OperationName } from './types';

export interface FakeAivenServerDeps {
  store: FakeStore;
  knobs: Knobs;
  log: RequestLog;
  token: string;
}

function sendError(res: ServerResponse, err: unknown): number {
  if (err instanceof FakeHttpError) {
    sendJson(res, err.status, err.body(), err.headers);
    return err.status;
  }
  // A bug in the fake, not an injected fault; the stack holds no request data.
  process.stderr.write(`fake-aiven: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  sendJson(res, 500, errorBody(500, 'Internal server error'));
  return 500;
}

/**
 * Anything the fake does not serve is 404. It used to answer 405 for another method
 * on a known path, but the real API serves more methods on those paths (PUT/DELETE
 * of a service, for instance) than the fake models, so a 405 would be invented.
 */
function notServed(): FakeHttpError {
  return new FakeHttpError(404, 'Not Found');
}

/** Aiven's own clients send `aivenv1 <token>`; the API also takes `Bearer <token>`. */
function authorized(header: string | undefined, token: string): boolean {
  const m = /^(aivenv1|Bearer) (.+)$/.exec(header ?? '');
  return m !== null && m[2] === token;
}

async function handleAiven(
  deps: FakeAivenServerDeps,
  routes: Route<AivenHandler>[],
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const started = Date.now();
  let operation: OperationName | null = null;
  let username: string | undefined;
  let status: number;
  try {
    const latency = deps.knobs.latencyMs();
    if (latency > 0) await sleep(latency);
    if (!authorized(req.headers.authorization, deps.token)) throw authenticationFailed();
    const segments = pathSegments(url.pathname);
    if (segments[0] !== 'v1') throw notServed();
    const match = matchRoute(routes, req.method ?? 'GET', segments.slice(1));
    if (match.kind !== 'found') throw notServed();
    operation = match.route.handler.operation;
    username = match.params.username;
    // A token that is not a member of the project (the real text is not public).
    if (match.params.project !== undefined && deps.knobs.edges().forbiddenProjects.includes(match.params.project)) {
      throw new FakeHttpError(403, 'Permission denied');
    }
    const { afterFault } = deps.knobs.admit(operation);
    // Unknown query parameters (e.g. the Go clients' limit=999) are simply never read.
    const result = await match.route.handler.run({
      params: match.params,
      query: url.searchParams,
      body: async () => {
        const body = await readJson(req);
        // A create names its user in the body; only the name is kept.
        if (username === undefined && isRecord(body) && typeof body.username === 'string') username = body.username;
        return body;
      },
    });
    // Users may have changed: real servers mirroring them follow before the answer.
    if (req.method !== 'GET') await deps.store.changed();
    if (afterFault) throw afterFault;
    const emptyStatus = operation === 'deleteServiceUser' ? deps.knobs.edges().emptyDeleteStatus : null;
    if (emptyStatus !== null) {
      // A success without a body, which clients must take as success.
      res.writeHead(emptyStatus, { 'Content-Length': '0' }).end();
      status = emptyStatus;
    } else {
      sendJson(res, 200, result);
      status = 200;
    }
  } catch (err) {
    status = sendError(res, err);
  }
  // Only method, path, operation, status and the user's name: never bodies, headers or query values.
  deps.log.record({
    time: new Date(started).toISOString(),
    method: req.method ?? 'GET',
    path: url.pathname,
    operation,
    status,
    durationMs: Date.now() - started,
    ...(username !== undefined ? { username } : {}),
  });
}

async function handleControl(
  store: FakeStore,
  routes: Route<ControlHandler>[],
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  try {
    const segments = pathSegments(url.pathname).slice(1);
    const match = matchRoute(routes, req.method ?? 'GET', segments);
    if (match.kind !== 'found') throw notServed();
    const result = await match.route.handler({ params: match.params, query: url.searchParams, body: () => readJson(req) });
    if (req.method !== 'GET') await store.changed();
    sendJson(res, 200, result);
  } catch (err) {
    sendError(res, err);
  }
}

export function createFakeAivenServer(deps: FakeAivenServerDeps): Server {
  const aiven = aivenRoutes(deps);
  const control = controlRoutes(deps);
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-aiven.invalid');
    const isControl = url.pathname === '/_fake' || url.pathname.startsWith('/_fake/');
    const done = isControl ? handleControl(deps.store, control, req, res, url) : handleAiven(deps, aiven, req, res, url);
    done.catch((err: unknown) => {
      if (!res.headersSent) sendError(res, err);
    });
  });
}
