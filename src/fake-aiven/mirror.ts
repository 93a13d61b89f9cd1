// Mirrors: real servers that follow the fake's service users. After every
// request that may have changed the store, each mirror is told the users of the
// services it follows and makes its server hold exactly those users (a real
// Redis gets `ACL SETUSER`/`ACL DELUSER`, a real Kafka broker an allow list).
// The request is answered only after the mirrors are in step, so a client that
// sees a user created (or deleted) through the API can rely on the real server.

import type { ServiceComponent, ServiceType } from '../aiven/types';

/** What a mirror sees of a service. */
export interface MirroredService {
  project: string;
  name: string;
  type: ServiceType;
  components: readonly ServiceComponent[];
}

/** What a mirror sees of one service user. */
export interface MirroredUser {
  project: string;
  service: string;
  serviceType: ServiceType;
  username: string;
  type: 'primary' | 'normal';
  password: string;
  /** Kafka only: the current client certificate (PEM). */
  certificate?: string;
  /** Valkey: as stored (categories, commands, keys, channels). */
  accessControl?: Record<string, unknown>;
}

export interface StoreMirror {
  /** A short name for error messages. */
  name: string;
  /** Whether the users of this service belong in the mirrored server (called often; keep it cheap). */
  follows(service: MirroredService): boolean;
  /** Makes the mirrored server hold exactly these users. Calls never overlap. */
  sync(users: MirroredUser[]): Promise<void>;
  close?(): Promise<void>;
}

/** True when one of the service's components named `component` is at host:port. */
export function pointsAt(service: MirroredService, component: string, host: string, port: number): boolean {
  return service.components.some((c) => c.component === component && c.host === host && c.port === port);
}
