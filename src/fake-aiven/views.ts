// JSON views of the store in Aiven's response shapes, with secret redaction
// (aiven-docs "Secret redaction", aiven-api.md §1).

import type { ServiceInfo, ServiceUser, ValkeyAccessControl } from '../aiven/types';
import type { UserRecord } from './credentials';
import { rfc3339 } from './pki';
import type { ServiceRecord } from './store';

export const REDACTED = '<redacted>';

/**
 * Without include_secrets, `password` is "<redacted>" (documented). Whether
 * `access_key` is redacted is not documented; the fake redacts it too, since it
 * is a private key and a client that forgets include_secrets should notice at
 * once. `access_cert` is public material and stays visible.
 */
export function userView(user: UserRecord, withSecrets: boolean): ServiceUser {
  const view: ServiceUser = {
    username: user.username,
    type: user.type,
    password: withSecrets ? user.password : REDACTED,
  };
  if (user.kafka) {
    view.access_cert = user.kafka.certificate;
    view.access_key = withSecrets ? user.kafka.privateKey : REDACTED;
    view.access_cert_not_valid_after_time = rfc3339(user.kafka.notAfter);
    if (user.expiringCertNotAfter) view.expiring_cert_not_valid_after_time = rfc3339(user.expiringCertNotAfter);
  }
  view.password_updated_time = user.passwordUpdatedTime;
  // Echoed exactly as stored: clients compare it with deep equality (aiven-api.md §8).
  if (user.accessControl !== undefined) view.access_control = structuredClone(user.accessControl) as ValkeyAccessControl;
  return view;
}

export interface ServiceView extends ServiceInfo {
  service_uri_params: Record<string, string>;
  plan: string;
  cloud_name: string;
  create_time: string;
  update_time: string;
  user_config: Record<string, unknown>;
}

/** The service URI never embeds credentials here, so it needs no redaction. */
function serviceUri(service: ServiceRecord): { uri: string; params: Record<string, string> } {
  const main = service.components.find((c) => c.component === service.type && c.usage === 'primary');
  if (!main) return { uri: '', params: {} };
  const params = { host: main.host, port: String(main.port) };
  switch (service.type) {
    case 'kafka':
      return { uri: `${main.host}:${main.port}`, params };
    case 'opensearch':
      return { uri: `https://${main.host}:${main.port}`, params };
    case 'valkey':
      return { uri: `rediss://${main.host}:${main.port}`, params };
  }
}

export function serviceView(service: ServiceRecord, withSecrets: boolean): ServiceView {
  const { uri, params } = serviceUri(service);
  return {
    service_name: service.name,
    service_type: service.type,
    state: service.state,
    service_uri: uri,
    service_uri_params: params,
    plan: 'business-4',
    cloud_name: 'google-europe-north1',
    create_time: service.createTime,
    update_time: service.updateTime,
    user_config: {},
    components: structuredClone(service.components),
    users: [...service.users.values()].map((u) => userView(u, withSecrets)),
  };
}

export function projectView(name: string): Record<string, unknown> {
  return {
    project_name: name,
    default_cloud: 'google-europe-north1',
    account_id: 'a1b2c3d4e5f6',
    tenant_id: 'aiven',
    tags: {},
  };
}
