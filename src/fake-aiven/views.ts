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
  // Required by the OpenAPI document (ServiceGetResponse); constant here.
  group_list: string[];
  service_integrations: unknown[];
  termination_protection: boolean;
  node_count: number;
  metadata: Record<string, unknown>;
  project_vpc_id: string | null;
  tech_emails: unknown[];
  connection_info: Record<string, unknown>;
}

interface Endpoint {
  host: string;
  port: number;
}

function primary(service: ServiceRecord, component: string): Endpoint | undefined {
  const list = service.components.filter((c) => c.component === component && c.usage === 'primary');
  // Kafka: the certificate listener is the service URI (the SASL one is a second kafka/primary entry).
  return list.find((c) => c.kafka_authentication_method !== 'sasl') ?? list[0];
}

/** The service's own (primary) user, whose credentials the service URI carries. */
function adminCredentials(service: ServiceRecord, withSecrets: boolean): { user: string; password: string; record?: UserRecord } {
  const admin = [...service.users.values()].find((u) => u.type === 'primary');
  if (!admin) return { user: '', password: '' };
  return { user: admin.username, password: withSecrets ? admin.password : REDACTED, record: admin };
}

const auth = (c: { user: string; password: string }): string =>
  c.user === '' ? '' : `${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@`;

/**
 * service_uri, its params and connection_info as Aiven shapes them: OpenSearch and
 * Valkey URIs carry the primary user's credentials (redacted without include_secrets),
 * Kafka's is the bare broker address.
 */
function connection(service: ServiceRecord, withSecrets: boolean): { uri: string; params: Record<string, string>; info: Record<string, unknown> } {
  const main = primary(service, service.type);
  if (!main) return { uri: '', params: {}, info: {} };
  const admin = adminCredentials(service, withSecrets);
  const params = { host: main.host, port: String(main.port), ...(admin.user ? { user: admin.user, password: admin.password } : {}) };
  const at = `${main.host}:${main.port}`;
  switch (service.type) {
    case 'kafka': {
      const registry = primary(service, 'schema_registry');
      const info: Record<string, unknown> = { kafka: [at] };
      if (admin.record?.kafka) {
        info.kafka_access_cert = admin.record.kafka.certificate;
        info.kafka_access_key = withSecrets ? admin.record.kafka.privateKey : REDACTED;
      }
      if (registry) info.schema_registry_uri = `https://${auth(admin)}${registry.host}:${registry.port}`;
      return { uri: at, params: { host: main.host, port: String(main.port) }, info };
    }
    case 'opensearch': {
      const uri = `https://${auth(admin)}${at}`;
      const dashboards = primary(service, 'opensearch_dashboards');
      return {
        uri,
        params,
        info: {
          opensearch: [uri],
          opensearch_username: admin.user,
          opensearch_password: admin.password,
          ...(dashboards ? { opensearch_dashboards_uri: `https://${dashboards.host}:${dashboards.port}` } : {}),
        },
      };
    }
    case 'valkey': {
      const uri = `rediss://${auth(admin)}${at}`;
      return { uri, params, info: { valkey: [uri], valkey_password: admin.password } };
    }
  }
}

export function serviceView(service: ServiceRecord, withSecrets: boolean): ServiceView {
  const { uri, params, info } = connection(service, withSecrets);
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
    group_list: ['default'],
    service_integrations: [],
    termination_protection: false,
    node_count: 3,
    metadata: {},
    project_vpc_id: null,
    tech_emails: [],
    connection_info: info,
    components: structuredClone(service.components),
    users: [...service.users.values()].map((u) => userView(u, withSecrets)),
  };
}

/** A project as GET /project lists it, with the fields the OpenAPI document marks required. */
export function projectView(name: string): Record<string, unknown> {
  return {
    project_name: name,
    account_id: 'a1b2c3d4e5f6',
    account_name: 'Fake Aiven account',
    available_credits: '0.00',
    billing_address: '',
    billing_currency: 'EUR',
    card_info: {},
    country: 'Norway',
    billing_group_id: '00000000-0000-4000-8000-000000000000',
    billing_group_name: 'default',
    country_code: 'NO',
    default_cloud: 'google-europe-north1',
    estimated_balance: '0.00',
    organization_id: 'org1a2b3c4d5e6',
    payment_method: 'no_payment_expected',
    tech_emails: [],
    tenant_id: 'aiven',
    vat_id: '',
    billing_emails: [],
    billing_extra_text: '',
    tags: {},
    features: {},
    end_of_life_extension: {},
  };
}
