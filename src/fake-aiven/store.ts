// In-memory Aiven state: projects (each with its CA), services, users and
// OpenSearch ACLs. Everything the Aiven API and the control API read or change.

import type { OpenSearchAclConfig, ServiceComponent, ServiceState, ServiceType } from '../aiven/types';
import { newUserRecord, type CredentialContext, type UserRecord } from './credentials';
import { notFound } from './errors';
import { SecretLedger } from './ledger';
import type { MirroredUser, StoreMirror } from './mirror';
import { KeySource, createProjectCa, rfc3339, type ProjectCa } from './pki';
import type { FakeProjectSpec, FakeProjectSummary, FakeServicePatch, FakeServiceSpec, FakeUserSpec } from './types';
import { defaultComponents } from './world';

export interface ServiceRecord {
  name: string;
  type: ServiceType;
  state: ServiceState;
  components: ServiceComponent[];
  /** undefined = use the global knob; null = unlimited. */
  userLimit?: number | null;
  /** Insertion order is the order of `users[]`. */
  users: Map<string, UserRecord>;
  /** Usernames whose create is generating keys right now. */
  pendingUsers: Set<string>;
  /** OpenSearch only. */
  opensearchAcl?: OpenSearchAclConfig;
  createTime: string;
  updateTime: string;
}

export interface ProjectRecord {
  name: string;
  ca: ProjectCa;
  /** The CA a rotation moves to; made on first use (caBundle knob, server certificates signed by it). */
  nextCa?: Promise<ProjectCa>;
  services: Map<string, ServiceRecord>;
}

interface AttachedMirror {
  mirror: StoreMirror;
  /** The last sync; the next one runs after it, so syncs never overlap. */
  last: Promise<void>;
}

export class FakeStore {
  readonly ledger = new SecretLedger();
  private readonly projects = new Map<string, ProjectRecord>();
  private readonly mirrors: AttachedMirror[] = [];

  constructor(private readonly keySource: KeySource = new KeySource()) {}

  projectNames(): string[] {
    return [...this.projects.keys()];
  }

  requireProject(name: string): ProjectRecord {
    const project = this.projects.get(name);
    // Real text unknown; Aiven may answer 403 for projects the token is not a member of.
    if (!project) throw notFound(`Project ${name} does not exist`);
    return project;
  }

  requireService(projectName: string, serviceName: string): ServiceRecord {
    const service = this.requireProject(projectName).services.get(serviceName);
    // Exact text seen in real responses; Go clients retry POSTs on it (service lag).
    if (!service) throw notFound(`Service ${serviceName} does not exist`);
    return service;
  }

  requireUser(service: ServiceRecord, username: string): UserRecord {
    const user = service.users.get(username);
    // Text seen in an older real error body.
    if (!user) throw notFound('Service user does not exist');
    return user;
  }

  /** The second CA of a rotation, created once per project. */
  nextCa(projectName: string): Promise<ProjectCa> {
    const project = this.requireProject(projectName);
    project.nextCa ??= createProjectCa(projectName, 'Next Project CA');
    return project.nextCa;
  }

  /** Both CAs, current first, as `kms/ca` answers during a rotation. */
  async caBundle(projectName: string): Promise<string> {
    const project = this.requireProject(projectName);
    const next = await this.nextCa(projectName);
    return `${project.ca.certificate.trim()}\n${next.certificate.trim()}\n`;
  }

  credentialContext(projectName: string, service: ServiceRecord, username: string): CredentialContext {
    return {
      ca: this.requireProject(projectName).ca,
      keySource: this.keySource,
      ledger: this.ledger,
      owner: { project: projectName, service: service.name, username },
      serviceType: service.type,
    };
  }

  /** Creates or replaces a project. A replaced project keeps its CA (clients may have cached it). */
  async putProject(spec: FakeProjectSpec): Promise<ProjectRecord> {
    const existing = this.projects.get(spec.name);
    const project: ProjectRecord = {
      name: spec.name,
      ca: existing?.ca ?? (await createProjectCa(spec.name)),
      ...(existing?.nextCa ? { nextCa: existing.nextCa } : {}),
      services: new Map(),
    };
    for (const s of spec.services ?? []) {
      project.services.set(s.name, await this.buildService(project, s));
    }
    this.projects.set(spec.name, project);
    return project;
  }

  deleteProject(name: string): void {
    this.requireProject(name);
    this.projects.delete(name);
  }

  /** Creates or replaces a service (users and ACLs start from the spec). */
  async putService(projectName: string, spec: FakeServiceSpec): Promise<ServiceRecord> {
    const project = this.requireProject(projectName);
    const service = await this.buildService(project, spec);
    project.services.set(spec.name, service);
    return service;
  }

  /** Changes state, components or limit while keeping users and ACLs. */
  patchService(projectName: string, serviceName: string, patch: FakeServicePatch): ServiceRecord {
    const service = this.requireService(projectName, serviceName);
    if (patch.state !== undefined) service.state = patch.state;
    if (patch.components !== undefined) service.components = structuredClone(patch.components);
    if (patch.userLimit !== undefined) service.userLimit = patch.userLimit;
    service.updateTime = rfc3339(new Date());
    return service;
  }

  deleteService(projectName: string, serviceName: string): void {
    this.requireService(projectName, serviceName);
    this.requireProject(projectName).services.delete(serviceName);
  }

  /** Attaches a mirror and brings it in step with the current users. */
  async addMirror(mirror: StoreMirror): Promise<void> {
    const attached: AttachedMirror = { mirror, last: Promise.resolve() };
    this.mirrors.push(attached);
    await this.syncMirror(attached, true);
  }

  /**
   * The hook for every change to users or services (create, modify, reset,
   * delete, service and project changes): the server calls it after each request
   * that may have changed the store, before answering. Each mirror then syncs
   * from the store as it is when its turn comes. A failing mirror is reported on
   * stderr; the Aiven answer stays as it was.
   */
  async changed(): Promise<void> {
    if (this.mirrors.length === 0) return;
    await Promise.all(this.mirrors.map((m) => this.syncMirror(m, false)));
  }

  async closeMirrors(): Promise<void> {
    const attached = this.mirrors.splice(0);
    for (const m of attached) {
      await m.last;
      await m.mirror.close?.().catch(() => undefined);
    }
  }

  private syncMirror(attached: AttachedMirror, rethrow: boolean): Promise<void> {
    const run = attached.last.then(() => attached.mirror.sync(this.mirroredUsers(attached.mirror)));
    attached.last = run.catch((err: unknown) => {
      process.stderr.write(`fake-aiven: mirror ${attached.mirror.name} failed to sync: ${err instanceof Error ? err.message : String(err)}\n`);
    });
    return rethrow ? run : attached.last;
  }

  private mirroredUsers(mirror: StoreMirror): MirroredUser[] {
    const users: MirroredUser[] = [];
    for (const project of this.projects.values()) {
      for (const service of project.services.values()) {
        if (!mirror.follows({ project: project.name, name: service.name, type: service.type, components: service.components })) continue;
        for (const u of service.users.values()) {
          users.push({
            project: project.name,
            service: service.name,
            serviceType: service.type,
            username: u.username,
            type: u.type,
            password: u.password,
            certificate: u.kafka?.certificate,
            accessControl: u.accessControl === undefined ? undefined : structuredClone(u.accessControl),
          });
        }
      }
    }
    return users;
  }

  summaries(): FakeProjectSummary[] {
    return [...this.projects.values()].map((p) => ({
      name: p.name,
      services: [...p.services.values()].map((s) => ({
        name: s.name,
        type: s.type,
        state: s.state,
        users: s.users.size,
      })),
    }));
  }

  private async buildService(project: ProjectRecord, spec: FakeServiceSpec): Promise<ServiceRecord> {
    const now = rfc3339(new Date());
    const service: ServiceRecord = {
      name: spec.name,
      type: spec.type,
      state: spec.state ?? 'RUNNING',
      components: spec.components
        ? structuredClone(spec.components)
        : defaultComponents(spec.type, project.name, spec.name, spec),
      userLimit: spec.userLimit,
      users: new Map(),
      pendingUsers: new Set(),
      createTime: now,
      updateTime: now,
    };
    if (spec.type === 'opensearch') {
      service.opensearchAcl = structuredClone(spec.opensearchAcl ?? { acls: [], enabled: false });
    }
    const users: FakeUserSpec[] = [
      ...(spec.adminUser === false ? [] : [{ username: 'avnadmin', type: 'primary' as const }]),
      ...(spec.users ?? []),
    ];
    for (const u of users) {
      const ctx: CredentialContext = {
        ca: project.ca,
        keySource: this.keySource,
        ledger: this.ledger,
        owner: { project: project.name, service: spec.name, username: u.username },
        serviceType: spec.type,
      };
      const record = await newUserRecord(ctx, {
        type: u.type ?? 'normal',
        password: u.password,
        accessControl: u.access_control as Record<string, unknown> | undefined,
      });
      service.users.set(u.username, record);
    }
    return service;
  }
}
