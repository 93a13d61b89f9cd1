// Real clients configured only from what a credentials Secret holds: kafkajs
// (PEM keys), a small Java application (key stores), ioredis (user/password).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import Redis from 'ioredis';
import { Kafka, logLevel, type RetryOptions } from 'kafkajs';
import { eventually, fakeAiven } from '../../env/aivenator';
import { core, secretOrUndefined } from '../reconcile/fixtures';

export const execFileAsync = promisify(execFile);

export type SecretData = Record<string, Buffer>;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `aivenator-${prefix}-`));
}

// ---------------------------------------------------------------------------
// Kafka
// ---------------------------------------------------------------------------

/** kafkajs from KAFKA_BROKERS, KAFKA_CA, KAFKA_CERTIFICATE and KAFKA_PRIVATE_KEY, and nothing else. */
export function kafkajsFromSecret(secret: SecretData, retry: RetryOptions = { retries: 5, initialRetryTime: 300 }): Kafka {
  return new Kafka({
    clientId: 'aivenator-credentials-test',
    brokers: secret.KAFKA_BROKERS.toString().split(','),
    ssl: {
      ca: [secret.KAFKA_CA.toString()],
      cert: secret.KAFKA_CERTIFICATE.toString(),
      key: secret.KAFKA_PRIVATE_KEY.toString(),
    },
    connectionTimeout: 5000,
    retry,
    logLevel: logLevel.NOTHING,
  });
}

/** Produces `value` to `topic` (auto-created), then consumes the topic as `groupId` until `value` arrives. */
export async function kafkajsRoundTrip(kafka: Kafka, topic: string, groupId: string, value: string): Promise<string> {
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs consumed nothing from ${topic} within 30 s`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() !== value) return;
            clearTimeout(timer);
            resolve(value);
          },
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err);
        });
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Writes the Secret's key stores and a Java client config that uses only them and KAFKA_CREDSTORE_PASSWORD. */
export function javaClientConfig(secret: SecretData, dir: string): string {
  const keystore = path.join(dir, 'client.keystore.p12');
  const truststore = path.join(dir, 'client.truststore.jks');
  fs.writeFileSync(keystore, secret['client.keystore.p12']);
  fs.writeFileSync(truststore, secret['client.truststore.jks']);
  const password = secret.KAFKA_CREDSTORE_PASSWORD.toString();
  // As NAIS documents it for Java applications: one password for both stores and the key.
  const config: Record<string, string> = {
    'bootstrap.servers': secret.KAFKA_BROKERS.toString(),
    'security.protocol': 'SSL',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': keystore,
    'ssl.keystore.password': password,
    'ssl.key.password': password,
    'ssl.truststore.type': 'JKS',
    'ssl.truststore.location': truststore,
    'ssl.truststore.password': password,
  };
  const file = path.join(dir, 'client.properties');
  const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/^ /, '\\ ');
  fs.writeFileSync(file, Object.entries(config).map(([k, v]) => `${k}=${escape(v)}`).join('\n') + '\n', { mode: 0o600 });
  return file;
}

const JAVA_CLIENT_SOURCE = path.join(__dirname, '../../tools/java-client/KafkaRoundTrip.java');
/** The jars a Java application needs for kafka-clients (its runtime dependencies, no logging back end). */
const CLIENT_JARS = /^(kafka-clients|slf4j-api|lz4-java|snappy-java|zstd-jni)-.*\.jar$/;

export interface JavaClient {
  classpath: string;
  run(configFile: string, topic: string, group: string, message: string): Promise<{ stdout: string; stderr: string }>;
}

/** Compiles test/tools/java-client with javac against the cached kafka-clients jars. */
export async function compileJavaClient(libsDir: string, dir: string): Promise<JavaClient> {
  const jars = fs.readdirSync(libsDir).filter((f) => CLIENT_JARS.test(f)).map((f) => path.join(libsDir, f));
  if (!jars.some((j) => path.basename(j).startsWith('kafka-clients-'))) throw new Error(`no kafka-clients jar in ${libsDir}`);
  const classes = path.join(dir, 'classes');
  fs.mkdirSync(classes, { recursive: true });
  await execFileAsync('javac', ['-nowarn', '-d', classes, '-cp', jars.join(path.delimiter), JAVA_CLIENT_SOURCE], { timeout: 60_000 });
  const classpath = [...jars, classes].join(path.delimiter);
  return {
    classpath,
    run: (configFile, topic, group, message) =>
      execFileAsync('java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', classpath, 'KafkaRoundTrip', configFile, topic, group, message], {
        timeout: 90_000,
      }),
  };
}

// ---------------------------------------------------------------------------
// Valkey (Redis)
// ---------------------------------------------------------------------------

/** The instance part of the Valkey keys: [^a-z0-9] → "_", upper case. */
export function valkeyKey(instance: string): string {
  return instance.replace(/[^a-z0-9]/g, '_').toUpperCase();
}

/**
 * Logs in with VALKEY_HOST_<K>, VALKEY_PORT_<K>, VALKEY_USERNAME_<K> and
 * VALKEY_PASSWORD_<K>. Plain TCP: the test Redis has no TLS listener, although
 * the Secret's URI says valkeys:// as Aiven's endpoints do; the test checks the
 * URI names the same host and port.
 */
export async function redisLogin(secret: SecretData, instance: string): Promise<Redis> {
  const k = valkeyKey(instance);
  const client = new Redis({
    host: secret[`VALKEY_HOST_${k}`].toString(),
    port: Number(secret[`VALKEY_PORT_${k}`].toString()),
    username: secret[`VALKEY_USERNAME_${k}`].toString(),
    password: secret[`VALKEY_PASSWORD_${k}`].toString(),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5000,
  });
  // ioredis reports a refused AUTH as an error event, and connect() only as "Connection is closed".
  const events: Error[] = [];
  client.on('error', (err: Error) => events.push(err));
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new Error([...events, err as Error].map((e) => e.message).join('; '));
  }
  return client;
}

// ---------------------------------------------------------------------------
// Removing a Secret and its Aiven user
// ---------------------------------------------------------------------------

/**
 * Deletes the Secret as an operator would, and waits while Aivenator's Secret
 * finalizer deletes the Aiven user behind it and lets the Secret go. Aivenator
 * must be running (startAivenator starts the Secret controller).
 */
export async function deleteSecretThroughFinalizer(namespace: string, secretName: string, project: string, service: string, username: string): Promise<void> {
  try {
    await core.deleteNamespacedSecret({ namespace, name: secretName });
  } catch (err) {
    // Already gone: without its application the Secret is unused, and the janitor may be first.
    if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
  }
  await eventually(async () => ((await secretOrUndefined(namespace, secretName)) === undefined ? true : undefined), 30_000, `Secret ${secretName} finalized and gone`);
  await eventually(async () => ((await fakeAiven().getUser(project, service, username)) === undefined ? true : undefined), 10_000, `user ${username} deleted`);
}
