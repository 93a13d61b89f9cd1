// Typed Aiven REST client (paths under /v1, see shared/reference/aiven-api.md).
// It never retries: Temporal activity retries are the one retry mechanism, driven
// by the error kind. axios errors never leave this module, because they carry the
// request config (the token) and the response body (credentials).
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import {
  type AivenOperation,
  classifyHttpFailure,
  hasErrorsArray,
  networkError,
  unexpectedResponse,
} from './errors';
import type {
  ModifyUserOperation,
  OpenSearchAclConfig,
  ServiceInfo,
  ServiceUser,
  ValkeyAccessControl,
} from './types';

export type { AivenOperation } from './errors';

export interface AivenClientOptions {
  /** e.g. https://api.aiven.io; the client appends /v1. */
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  userAgent?: string;
  /** Called once per request, for metrics. Exceptions from it are ignored. */
  /** Called after every call; `project` is the project in the path, when there is one. */
  onResponse?: (op: AivenOperation, status: number | 'network', ms: number, project?: string) => void;
}

export interface AivenProject {
  project_name: string;
  [key: string]: unknown;
}

export interface ListProjectsResult {
  projects: AivenProject[];
}

export interface ReadOptions {
  includeSecrets?: boolean;
}

export interface CreateServiceUserRequest {
  username: string;
  access_control?: ValkeyAccessControl;
}

export interface ModifyServiceUserRequest {
  operation: ModifyUserOperation;
  access_control?: ValkeyAccessControl;
  new_password?: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_USER_AGENT = 'aivenator';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Json = Record<string, unknown>;

export class AivenClient {
  private readonly http: AxiosInstance;
  private readonly onResponse?: AivenClientOptions['onResponse'];

  constructor(opts: AivenClientOptions) {
    this.onResponse = opts.onResponse;
    this.http = axios.create({
      baseURL: `${opts.baseUrl.replace(/\/+$/, '')}/v1`,
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      headers: {
        Authorization: `aivenv1 ${opts.token}`,
        'Content-Type': 'application/json',
        'User-Agent': opts.userAgent ?? DEFAULT_USER_AGENT,
        Accept: 'application/json',
      },
      // Every status is a response we classify ourselves; axios throws only for transport failures.
      validateStatus: () => true,
      // Raw text: parsing is ours, so a bad body cannot surface as an axios error holding it.
      transformResponse: [(data: unknown) => data],
      responseType: 'text',
      // A redirect would carry the Authorization header somewhere we did not choose.
      maxRedirects: 0,
    });
  }

  /** Token check: GET /project. */
  async listProjects(): Promise<ListProjectsResult> {
    const body = await this.call('listProjects', 'GET', '/project');
    const projects = body.projects;
    if (!Array.isArray(projects)) throw unexpectedResponse('listProjects', 200, 'no projects list');
    return { projects: projects.filter(isObject) as AivenProject[] };
  }

  /**
   * The project's CA, PEM. During a CA rotation this is a bundle of two
   * certificates; it is returned whole, so AIVEN_CA, KAFKA_CA and the trust
   * store get every certificate of it.
   */
  async getProjectCa(project: string): Promise<string> {
    const body = await this.call('getProjectCa', 'GET', path`/project/${project}/kms/ca`);
    if (typeof body.certificate !== 'string' || !PEM_CERTIFICATE.test(body.certificate)) {
      throw unexpectedResponse('getProjectCa', 200, 'no PEM certificate');
    }
    return body.certificate;
  }

  async getService(project: string, service: string, opts: ReadOptions = {}): Promise<ServiceInfo> {
    const body = await this.call('getService', 'GET', path`/project/${project}/service/${service}`, {
      query: secretsQuery(opts),
    });
    return expectService('getService', body);
  }

  /** The create response is the one place Aiven returns the new credentials in plaintext. */
  async createServiceUser(project: string, service: string, req: CreateServiceUserRequest): Promise<ServiceUser> {
    const data: Json = { username: req.username };
    if (req.access_control !== undefined) data.access_control = req.access_control;
    const body = await this.call('createServiceUser', 'POST', path`/project/${project}/service/${service}/user`, {
      data,
    });
    return expectUser('createServiceUser', body.user);
  }

  async getServiceUser(project: string, service: string, username: string, opts: ReadOptions = {}): Promise<ServiceUser> {
    const body = await this.call(
      'getServiceUser',
      'GET',
      path`/project/${project}/service/${service}/user/${username}`,
      { query: secretsQuery(opts) },
    );
    return expectUser('getServiceUser', body.user);
  }

  /** PUT …/user/{u}; Aiven answers with the whole service, so the user is picked from its users[]. */
  async modifyServiceUser(
    project: string,
    service: string,
    username: string,
    req: ModifyServiceUserRequest,
  ): Promise<ServiceUser> {
    const data: Json = { operation: req.operation };
    if (req.access_control !== undefined) data.access_control = req.access_control;
    if (req.new_password !== undefined) data.new_password = req.new_password;
    const body = await this.call(
      'modifyServiceUser',
      'PUT',
      path`/project/${project}/service/${service}/user/${username}`,
      { data },
    );
    return userFromService('modifyServiceUser', body, username);
  }

  /** PUT …/user/{u}/credentials/reset: new password (and certificate for cert users). Response is redacted. */
  async resetServiceUserCredentials(project: string, service: string, username: string): Promise<ServiceUser> {
    const body = await this.call(
      'resetServiceUserCredentials',
      'PUT',
      path`/project/${project}/service/${service}/user/${username}/credentials/reset`,
    );
    return userFromService('resetServiceUserCredentials', body, username);
  }

  /**
   * A 404 throws a not-found error; callers that treat it as success check isNotFound.
   * A 2xx without a body (200 or 204) is success: the answer carries nothing we need.
   */
  async deleteServiceUser(project: string, service: string, username: string): Promise<void> {
    await this.call('deleteServiceUser', 'DELETE', path`/project/${project}/service/${service}/user/${username}`, {
      emptyBodyOk: true,
    });
  }

  async getOpenSearchAcl(project: string, service: string): Promise<OpenSearchAclConfig> {
    const body = await this.call('getOpenSearchAcl', 'GET', path`/project/${project}/service/${service}/opensearch/acl`);
    return expectAclConfig('getOpenSearchAcl', body);
  }

  /** PUT the config (callers send the whole config: there is no compare-and-set). */
  async updateOpenSearchAcl(
    project: string,
    service: string,
    config: Partial<OpenSearchAclConfig>,
  ): Promise<OpenSearchAclConfig> {
    const body = await this.call(
      'updateOpenSearchAcl',
      'PUT',
      path`/project/${project}/service/${service}/opensearch/acl`,
      { data: { opensearch_acl_config: config } },
    );
    return expectAclConfig('updateOpenSearchAcl', body);
  }

  /** One HTTP exchange → parsed JSON object of a 2xx, or a classified AivenApiError. */
  private async call(
    op: AivenOperation,
    method: Method,
    url: string,
    opts: { data?: Json; query?: Record<string, string>; emptyBodyOk?: boolean } = {},
  ): Promise<Json> {
    const started = performance.now();
    let res: AxiosResponse<unknown>;
    try {
      res = await this.http.request<unknown>({ method, url, data: opts.data, params: opts.query });
    } catch (err) {
      this.report(op, 'network', started, url);
      throw networkError(op, err instanceof AxiosError ? err.code : undefined);
    }
    this.report(op, res.status, started, url);

    const body = parseBody(res.data);
    const retryAfter = headerString(res.headers['retry-after']);
    if (res.status < 200 || res.status >= 300 || hasErrorsArray(body)) {
      const project = projectOf(url);
      throw classifyHttpFailure({
        operation: op,
        status: res.status,
        body,
        ...(retryAfter !== undefined ? { retryAfterHeader: retryAfter } : {}),
        ...(project !== undefined ? { project } : {}),
        ...(opts.query?.include_secrets === 'true' ? { includeSecrets: true } : {}),
      });
    }
    if (body === undefined && opts.emptyBodyOk) return {};
    if (!isObject(body)) throw unexpectedResponse(op, res.status, 'body is not a JSON object');
    return body;
  }

  private report(op: AivenOperation, status: number | 'network', started: number, url: string): void {
    if (!this.onResponse) return;
    try {
      this.onResponse(op, status, performance.now() - started, projectOf(url));
    } catch {
      // Metrics must never break an Aiven call.
    }
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The project named in a request path, if any. */
function projectOf(url: string): string | undefined {
  const project = /^\/?(?:v1\/)?project\/([^/?]+)/.exec(url)?.[1];
  return project === undefined ? undefined : decodeURIComponent(project);
}

/** Tagged template that escapes every interpolated path segment. */
function path(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce((acc, s, i) => acc + s + (i < segments.length ? encodeURIComponent(segments[i]!) : ''), '');
}

function secretsQuery(opts: ReadOptions): Record<string, string> | undefined {
  return opts.includeSecrets ? { include_secrets: 'true' } : undefined;
}

function parseBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  if (data.trim() === '') return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data; // Kept as text for classification only; it is scrubbed before any message.
  }
}

function headerString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isUser(v: unknown): v is ServiceUser {
  return isObject(v) && typeof v.username === 'string';
}

function expectUser(op: AivenOperation, v: unknown): ServiceUser {
  if (!isUser(v)) throw unexpectedResponse(op, 200, 'no user object');
  return v;
}

function expectService(op: AivenOperation, body: Json): ServiceInfo {
  const s = body.service;
  if (!isObject(s) || typeof s.service_name !== 'string') throw unexpectedResponse(op, 200, 'no service object');
  return s as unknown as ServiceInfo;
}

function userFromService(op: AivenOperation, body: Json, username: string): ServiceUser {
  const service = expectService(op, body);
  const user = (service.users ?? []).find((u) => isUser(u) && u.username === username);
  // The Go client fails the same way; usually lag, so retryable.
  if (!user) throw unexpectedResponse(op, 200, `user ${JSON.stringify(username)} missing from the returned service`);
  return user;
}

function expectAclConfig(op: AivenOperation, body: Json): OpenSearchAclConfig {
  const c = body.opensearch_acl_config;
  if (!isObject(c) || !Array.isArray(c.acls)) throw unexpectedResponse(op, 200, 'no opensearch_acl_config');
  return c as unknown as OpenSearchAclConfig;
}
