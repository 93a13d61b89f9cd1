// Typed client for the fake's /_fake/ control API, for tests and the sandbox,
// which run in other processes than the server. Uses Node's global fetch.

import type { OpenSearchAclConfig, ServiceUser } from '../aiven/types';
import type {
  FakeAivenKnobs,
  FakeAivenKnobsPatch,
  FakeProjectSpec,
  FakeProjectSummary,
  FakeServicePatch,
  FakeServiceSpec,
  IssuedSecret,
  IssuedServerCertificate,
  RequestCounters,
  RequestLogSnapshot,
} from './types';
import type { ServiceView } from './views';

export class FakeAivenControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'FakeAivenControlError';
  }
}

const enc = encodeURIComponent;

export class FakeAivenControl {
  private readonly base: string;

  /** @param url the fake's base URL, e.g. `http://127.0.0.1:PORT` (without `/v1` or `/_fake`). */
  constructor(url: string) {
    this.base = `${url.replace(/\/+$/, '')}/_fake`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!res.ok) {
      const message =
        typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String(parsed.message) : text;
      throw new FakeAivenControlError(res.status, `fake-aiven control ${method} /${path}: ${res.status} ${message}`);
    }
    return parsed as T;
  }

  private service(project: string, service: string): string {
    return `projects/${enc(project)}/services/${enc(service)}`;
  }

  async health(): Promise<boolean> {
    return (await this.call<{ ok: boolean }>('GET', 'health')).ok;
  }

  async listProjects(): Promise<FakeProjectSummary[]> {
    return (await this.call<{ projects: FakeProjectSummary[] }>('GET', 'projects')).projects;
  }

  /** Creates or replaces a project with its services; a replaced project keeps its CA. */
  async putProject(spec: FakeProjectSpec): Promise<void> {
    await this.call('PUT', `projects/${enc(spec.name)}`, spec);
  }

  async deleteProject(project: string): Promise<void> {
    await this.call('DELETE', `projects/${enc(project)}`);
  }

  async getProjectCa(project: string): Promise<string> {
    return (await this.call<{ certificate: string }>('GET', `projects/${enc(project)}/ca`)).certificate;
  }

  /**
   * A TLS server certificate signed by the project CA (for real brokers and other test
   * servers); `signer: 'next'` signs it with the second CA of the caBundle knob instead,
   * as a server already moved to the new CA during a rotation. `ca` is then the bundle.
   */
  async issueServerCertificate(project: string, hosts: string[], signer: 'current' | 'next' = 'current'): Promise<IssuedServerCertificate> {
    return this.call('POST', `projects/${enc(project)}/server-certificates`, { hosts, signer });
  }

  /** Creates or replaces a service; users and ACLs start from the spec. */
  async putService(project: string, spec: FakeServiceSpec): Promise<ServiceView> {
    return (await this.call<{ service: ServiceView }>('PUT', this.service(project, spec.name), spec)).service;
  }

  /** Changes state, components or user limit; keeps users and ACLs. */
  async patchService(project: string, service: string, patch: FakeServicePatch): Promise<ServiceView> {
    return (await this.call<{ service: ServiceView }>('PATCH', this.service(project, service), patch)).service;
  }

  /** The service with plaintext secrets. */
  async getService(project: string, service: string): Promise<ServiceView> {
    return (await this.call<{ service: ServiceView }>('GET', this.service(project, service))).service;
  }

  async deleteService(project: string, service: string): Promise<void> {
    await this.call('DELETE', this.service(project, service));
  }

  /** Users with plaintext secrets. */
  async listUsers(project: string, service: string): Promise<ServiceUser[]> {
    return (await this.call<{ users: ServiceUser[] }>('GET', `${this.service(project, service)}/users`)).users;
  }

  async getUser(project: string, service: string, username: string): Promise<ServiceUser | undefined> {
    return (await this.listUsers(project, service)).find((u) => u.username === username);
  }

  /** Deletes a user without going through the Aiven API (not logged or counted). */
  async deleteUser(project: string, service: string, username: string): Promise<void> {
    await this.call('DELETE', `${this.service(project, service)}/users/${enc(username)}`);
  }

  /** Puts a Kafka user into certificate renewal; returns the user with its new credentials. */
  async startRenewal(project: string, service: string, username: string): Promise<ServiceUser> {
    const path = `${this.service(project, service)}/users/${enc(username)}/renewal`;
    return (await this.call<{ user: ServiceUser }>('POST', path)).user;
  }

  async getOpenSearchAcl(project: string, service: string): Promise<OpenSearchAclConfig> {
    const path = `${this.service(project, service)}/opensearch-acl`;
    return (await this.call<{ opensearch_acl_config: OpenSearchAclConfig }>('GET', path)).opensearch_acl_config;
  }

  async getKnobs(): Promise<FakeAivenKnobs> {
    return (await this.call<{ knobs: FakeAivenKnobs }>('GET', 'knobs')).knobs;
  }

  /** Merges the given knobs into the current ones. */
  async setKnobs(patch: FakeAivenKnobsPatch): Promise<FakeAivenKnobs> {
    return (await this.call<{ knobs: FakeAivenKnobs }>('PATCH', 'knobs', patch)).knobs;
  }

  /** Defaults plus the given knobs. */
  async replaceKnobs(patch: FakeAivenKnobsPatch): Promise<FakeAivenKnobs> {
    return (await this.call<{ knobs: FakeAivenKnobs }>('PUT', 'knobs', patch)).knobs;
  }

  async resetKnobs(): Promise<FakeAivenKnobs> {
    return (await this.call<{ knobs: FakeAivenKnobs }>('POST', 'knobs/reset')).knobs;
  }

  /** Log entries with seq > since (all by default) and the counters. */
  async getRequestLog(since = 0): Promise<RequestLogSnapshot> {
    return this.call('GET', `requests?since=${since}`);
  }

  async getCounters(): Promise<RequestCounters> {
    return (await this.call<{ counters: RequestCounters }>('GET', 'requests/counters')).counters;
  }

  async resetRequestLog(): Promise<void> {
    await this.call('DELETE', 'requests');
  }

  /** Every password, private key and certificate the fake has issued. */
  async listIssuedSecrets(): Promise<IssuedSecret[]> {
    return (await this.call<{ secrets: IssuedSecret[] }>('GET', 'secrets')).secrets;
  }

  async clearIssuedSecrets(): Promise<void> {
    await this.call('DELETE', 'secrets');
  }
}
