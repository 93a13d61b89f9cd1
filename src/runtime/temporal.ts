// Connections to Temporal from configuration. The settings come from
// @temporalio/envconfig (a TOML profile plus TEMPORAL_* variables, read in
// loadConfig); here they become connection options, and every failure becomes
// a message that names the address, the namespace and the cause.
import { Client, Connection } from '@temporalio/client';
import { toClientOptions } from '@temporalio/envconfig';
import { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { SEARCH_ATTRIBUTES, SearchAttributeName } from '../temporal/search-attributes';

/** A failure to reach or use Temporal, with a message fit for an operator. */
export class TemporalConnectionError extends Error {
  override name = 'TemporalConnectionError';
  constructor(message: string, readonly address: string, override readonly cause?: unknown) {
    super(message);
  }
}

/** Address, TLS (server CA, server name, client pair), API key and gRPC headers for one address. */
export function connectionOptions(config: Config, address: string): NativeConnectionOptions {
  const { apiKey, tls, grpcMeta } = config.temporal;
  let options: NativeConnectionOptions;
  try {
    options = toClientOptions({ address, apiKey, tls, grpcMeta }).connectionOptions;
  } catch (err) {
    // A TLS file that cannot be read: name it rather than fall back to anything.
    throw new TemporalConnectionError(`Temporal TLS settings for ${address}: ${causeChain(err)}`, address, err);
  }
  return { ...options, address };
}

export async function connectClient(config: Config, address: string): Promise<{ client: Client; connection: Connection }> {
  const options = connectionOptions(config, address);
  let connection: Connection;
  try {
    // The client's Connection takes the same shape, without the native-only fields.
    connection = await Connection.connect({ address, tls: options.tls, apiKey: options.apiKey, metadata: options.metadata });
  } catch (err) {
    throw connectError(err, address, config);
  }
  return { client: new Client({ connection, namespace: config.temporal.namespace }), connection };
}

export async function connectNative(config: Config, address: string): Promise<NativeConnection> {
  const options = connectionOptions(config, address);
  try {
    return await NativeConnection.connect(options);
  } catch (err) {
    throw connectError(err, address, config);
  }
}

function connectError(err: unknown, address: string, config: Config): TemporalConnectionError {
  const security = config.temporal.tls?.clientCert ? 'mTLS' : config.temporal.apiKey ? 'TLS + API key' : config.temporal.tls && !config.temporal.tls.disabled ? 'TLS' : 'plaintext';
  return new TemporalConnectionError(
    `cannot connect to Temporal at ${address} (${security}, namespace ${config.temporal.namespace}): ${causeChain(err)}`,
    address,
    err,
  );
}

/** Every message down the `cause` chain: the SDK's own message ("Failed to signalWithStart Workflow") hides the reason. */
export function causeChain(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 6; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? (current as { cause?: unknown }).cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}

/** The search attribute a namespace lacks, from a failed call's cause chain. */
export function missingSearchAttribute(err: unknown): string | undefined {
  return /no mapping defined for search attribute (\w+)/.exec(causeChain(err))?.[1];
}

/** The `temporal` CLI command that registers Aivenator's search attributes in a namespace. */
export function searchAttributeCommand(namespace: string, address: string, names: readonly string[] = Object.keys(SEARCH_ATTRIBUTES)): string {
  const known = names.filter((n): n is SearchAttributeName => n in SEARCH_ATTRIBUTES);
  const list = known.length > 0 ? known : (Object.keys(SEARCH_ATTRIBUTES) as SearchAttributeName[]);
  return [
    `temporal operator search-attribute create --address ${address} --namespace ${namespace}`,
    ...list.map((n) => `--name ${n} --type ${SEARCH_ATTRIBUTES[n]}`),
  ].join(' ');
}

/**
 * An operator's message for a failed Temporal call: the whole cause chain, and
 * for a namespace without Aivenator's search attributes the command that adds them.
 */
export function describeTemporalError(err: unknown, where: { address: string; namespace: string }): string {
  const chain = causeChain(err);
  if (missingSearchAttribute(err)) {
    return `${chain}. The Temporal namespace "${where.namespace}" lacks Aivenator's search attributes; create them with: ${searchAttributeCommand(where.namespace, where.address)}`;
  }
  return chain;
}

/** The search attributes Aivenator needs that the namespace does not have (empty when all are there). */
export async function listMissingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  const have = new Set(Object.keys(response.customAttributes ?? {}));
  return Object.keys(SEARCH_ATTRIBUTES).filter((name) => !have.has(name));
}
