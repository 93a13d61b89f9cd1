// Connections to Temporal from configuration: address, namespace, and mTLS or
// an API key for Temporal Cloud or a secured cluster.
import * as fs from 'node:fs';
import { Client, Connection, ConnectionOptions } from '@temporalio/client';
import { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { Config } from '../config';

function security(config: Config): Pick<ConnectionOptions, 'tls' | 'apiKey'> {
  const { tlsCertPath, tlsKeyPath, apiKey } = config.temporal;
  const tls = tlsCertPath && tlsKeyPath
    ? { clientCertPair: { crt: fs.readFileSync(tlsCertPath), key: fs.readFileSync(tlsKeyPath) } }
    : apiKey ? true : undefined;
  return { ...(tls ? { tls } : {}), ...(apiKey ? { apiKey } : {}) };
}

export async function connectClient(config: Config, address: string): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address, ...security(config) });
  return { client: new Client({ connection, namespace: config.temporal.namespace }), connection };
}

export function connectNative(config: Config, address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, ...(security(config) as Pick<NativeConnectionOptions, 'tls' | 'apiKey'>) });
}
