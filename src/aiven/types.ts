// Shapes of Aiven API objects this project uses (paths under /v1), shared by the
// Aiven client, the fake Aiven server and the handlers. See shared/reference/aiven-api.md.

export type ServiceType = 'kafka' | 'opensearch' | 'valkey';
export type ServiceState = 'RUNNING' | 'REBUILDING' | 'REBALANCING' | 'POWEROFF';

export interface ServiceComponent {
  component: string; // kafka, schema_registry, opensearch, opensearch_dashboards, valkey
  host: string;
  port: number;
  route: 'dynamic' | 'public' | 'private' | 'privatelink';
  usage: 'primary' | 'replica';
  ssl?: boolean;
  kafka_authentication_method?: 'certificate' | 'sasl';
  kafka_ssl_ca?: 'project_ca' | 'letsencrypt';
}

export interface ValkeyAccessControl {
  valkey_acl_categories?: string[];
  valkey_acl_commands?: string[];
  valkey_acl_keys?: string[];
  valkey_acl_channels?: string[];
}

export interface ServiceUser {
  username: string;
  type: 'primary' | 'normal';
  /** Plaintext only on create or with include_secrets=true; otherwise "<redacted>". */
  password: string;
  access_cert?: string;
  access_key?: string;
  access_cert_not_valid_after_time?: string;
  expiring_cert_not_valid_after_time?: string;
  password_updated_time?: string;
  access_control?: ValkeyAccessControl;
}

export interface ServiceInfo {
  service_name: string;
  service_type: ServiceType;
  state: ServiceState;
  service_uri: string;
  components?: ServiceComponent[];
  users?: ServiceUser[];
}

export type OpenSearchPermission = 'deny' | 'admin' | 'read' | 'readwrite' | 'write';

export interface OpenSearchAclRule {
  index: string;
  permission: OpenSearchPermission;
}

export interface OpenSearchAcl {
  username: string;
  rules: OpenSearchAclRule[];
}

export interface OpenSearchAclConfig {
  acls: OpenSearchAcl[];
  enabled: boolean;
  extendedAcl?: boolean;
}

export type ModifyUserOperation = 'acknowledge-renewal' | 'reset-credentials' | 'set-access-control';

export interface AivenErrorBody {
  message: string;
  errors: { message: string; status: number; error_code?: string; more_info?: string }[];
}
