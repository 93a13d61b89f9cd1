// Request-body validation with the limits from Aiven's OpenAPI spec (aiven-api.md
// §5, §7, §9). Each function returns the parsed value or throws a 400. Unknown
// body keys are ignored: the spec does not say Aiven rejects them.

import type { ModifyUserOperation, OpenSearchAcl, OpenSearchAclConfig, OpenSearchPermission } from '../aiven/types';
import { badRequest } from './errors';
import { isRecord } from './http-util';

const USERNAME_MAX = 64;
/** First char letter, digit or "_" (no leading "-" or "."), then letters, digits, "_", "-", ".". */
const USERNAME_PATTERN = /^[A-Za-z0-9_][-._A-Za-z0-9]*$/;
const ACL_ARRAY_MAX = 256;

export function validateUsername(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw badRequest('username is required');
  if (value.length > USERNAME_MAX) throw badRequest(`username is longer than ${USERNAME_MAX} characters`);
  if (!USERNAME_PATTERN.test(value)) throw badRequest(`username '${value}' contains invalid characters`);
  return value;
}

/**
 * access_control: an object whose values are string arrays (valkey_acl_*, redis_acl_*,
 * at most 256 items), or scalars for other service types (m3_group, pg_allow_replication).
 */
export function validateAccessControl(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw badRequest('access_control must be an object');
  for (const [key, v] of Object.entries(value)) {
    if (Array.isArray(v)) {
      if (v.length > ACL_ARRAY_MAX) throw badRequest(`access_control.${key} has more than ${ACL_ARRAY_MAX} items`);
      if (!v.every((item) => typeof item === 'string')) throw badRequest(`access_control.${key} must contain strings`);
    } else if (typeof v !== 'string' && typeof v !== 'boolean' && v !== null) {
      throw badRequest(`access_control.${key} has an invalid type`);
    }
  }
  return value;
}

export interface CreateUserRequest {
  username: string;
  accessControl?: Record<string, unknown>;
}

export function validateCreateUser(body: unknown): CreateUserRequest {
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object');
  const username = validateUsername(body.username);
  const auth = body.authentication;
  if (auth !== undefined && auth !== null && auth !== 'caching_sha2_password' && auth !== 'mysql_native_password') {
    throw badRequest('authentication must be caching_sha2_password, mysql_native_password or null');
  }
  if (body.access_control === undefined) return { username };
  return { username, accessControl: validateAccessControl(body.access_control) };
}

const OPERATIONS: readonly ModifyUserOperation[] = ['acknowledge-renewal', 'reset-credentials', 'set-access-control'];

export interface ModifyUserRequest {
  operation: ModifyUserOperation;
  accessControl?: Record<string, unknown>;
  newPassword?: string;
}

/** Mirrors the combinations aiven-go-client allows (aiven-api.md §5). */
export function validateModifyUser(body: unknown): ModifyUserRequest {
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object');
  const op = body.operation;
  if (op === undefined) throw badRequest('operation is required');
  if (typeof op !== 'string' || !(OPERATIONS as readonly string[]).includes(op)) {
    throw badRequest(`operation must be one of ${OPERATIONS.join(', ')}`);
  }
  const operation = op as ModifyUserOperation;
  if (body.access_control !== undefined && operation !== 'set-access-control') {
    throw badRequest('access_control is only allowed with operation set-access-control');
  }
  if ((body.new_password !== undefined || body.authentication !== undefined) && operation !== 'reset-credentials') {
    throw badRequest('new_password and authentication are only allowed with operation reset-credentials');
  }
  const request: ModifyUserRequest = { operation };
  if (operation === 'set-access-control') {
    if (body.access_control === undefined) throw badRequest('access_control is required for set-access-control');
    request.accessControl = validateAccessControl(body.access_control);
  }
  if (body.new_password !== undefined) {
    const pw = body.new_password;
    if (typeof pw !== 'string' || pw.length < 8 || pw.length > 256) {
      throw badRequest('new_password must be 8 to 256 characters');
    }
    request.newPassword = pw;
  }
  return request;
}

const PERMISSIONS: readonly OpenSearchPermission[] = ['deny', 'admin', 'read', 'readwrite', 'write'];
const ACLS_MAX = 512;
const RULES_MAX = 256;
const INDEX_MAX = 249;

function validateAclEntry(entry: unknown, i: number): OpenSearchAcl {
  if (!isRecord(entry)) throw badRequest(`acls[${i}] must be an object`);
  const { username, rules } = entry;
  if (typeof username !== 'string' || username.length < 1 || username.length > USERNAME_MAX) {
    throw badRequest(`acls[${i}].username must be 1 to ${USERNAME_MAX} characters`);
  }
  if (!Array.isArray(rules)) throw badRequest(`acls[${i}].rules must be an array`);
  if (rules.length > RULES_MAX) throw badRequest(`acls[${i}].rules has more than ${RULES_MAX} items`);
  return {
    username,
    rules: rules.map((rule: unknown, j) => {
      if (!isRecord(rule)) throw badRequest(`acls[${i}].rules[${j}] must be an object`);
      const { index, permission } = rule;
      if (typeof index !== 'string' || index.length < 1 || index.length > INDEX_MAX) {
        throw badRequest(`acls[${i}].rules[${j}].index must be 1 to ${INDEX_MAX} characters`);
      }
      if (typeof permission !== 'string' || !(PERMISSIONS as readonly string[]).includes(permission)) {
        throw badRequest(`acls[${i}].rules[${j}].permission must be one of ${PERMISSIONS.join(', ')}`);
      }
      return { index, permission: permission as OpenSearchPermission };
    }),
  };
}

/** Body `{opensearch_acl_config:{acls?, enabled?, extendedAcl?}}`; `requireAll` for POST (set). */
export function validateOpenSearchAclBody(body: unknown, requireAll: boolean): Partial<OpenSearchAclConfig> {
  if (!isRecord(body) || !isRecord(body.opensearch_acl_config)) {
    throw badRequest('opensearch_acl_config is required');
  }
  const config = body.opensearch_acl_config;
  const out: Partial<OpenSearchAclConfig> = {};
  if (config.acls !== undefined) {
    if (!Array.isArray(config.acls)) throw badRequest('acls must be an array');
    if (config.acls.length > ACLS_MAX) throw badRequest(`acls has more than ${ACLS_MAX} items`);
    out.acls = config.acls.map((entry: unknown, i) => validateAclEntry(entry, i));
  } else if (requireAll) {
    throw badRequest('acls is required');
  }
  if (config.enabled !== undefined) {
    if (typeof config.enabled !== 'boolean') throw badRequest('enabled must be a boolean');
    out.enabled = config.enabled;
  } else if (requireAll) {
    throw badRequest('enabled is required');
  }
  if (config.extendedAcl !== undefined) {
    if (typeof config.extendedAcl !== 'boolean') throw badRequest('extendedAcl must be a boolean');
    out.extendedAcl = config.extendedAcl;
  }
  return out;
}
