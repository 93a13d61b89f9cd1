// Runs a real single-node Apache Kafka broker (KRaft: broker and controller in
// one JVM) from the Maven Central jars scripts/tools.sh caches. Listeners:
//   SSL        127.0.0.1:<free>  what clients use; client certificates required and
//                                trusted through the fake Aiven's project CA
//   INTERNAL   127.0.0.1:<free>  PLAINTEXT, inter-broker and harness use
//   CONTROLLER 127.0.0.1:<free>  PLAINTEXT, the KRaft quorum
//
// Revocation: on SSL the principal is User:<certificate CN> (ssl.principal.mapping.rules)
// and test/tools/kafka's AllowListPrincipalBuilder refuses any principal missing
// from an allow list file. KafkaAllowListMirror keeps that file equal to the users
// of the fake Aiven's Kafka services that point at this broker, so a deleted
// user's certificate, still validly signed, no longer gets a connection.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pointsAt, type MirroredService, type MirroredUser, type StoreMirror } from '../fake-aiven/mirror';
import { ManagedProcess, freePort, startProcess, tcpOpen, waitUntil } from './process';

export const KAFKA_PRINCIPAL_BUILDER = 'aivenator.testkafka.AllowListPrincipalBuilder';

export interface KafkaBrokerOptions {
  /** Directory of the broker's jars (tools.sh: kafka-<version>/libs). */
  libsDir: string;
  /** Directory of the compiled AllowListPrincipalBuilder (tools.sh: kafka-plugin-<version>-<hash>). */
  pluginDir: string;
  /** The world directory; the broker uses <dir>/kafka and logs to <dir>/kafka.log. */
  dir: string;
  /** Server certificate and PKCS#8 key (PEM), e.g. from the fake's issueServerCertificate. */
  serverCertificate: string;
  serverPrivateKey: string;
  /** CA (PEM) that client certificates must be signed by. */
  clientCa: string;
  host?: string;
  /** Max heap, default 512m. */
  heap?: string;
  java?: string;
}

export interface RunningKafkaBroker {
  host: string;
  sslPort: number;
  /** `host:port` of the SSL listener, as KAFKA_BROKERS carries it. */
  brokers: string;
  /** `host:port` of the PLAINTEXT listener (no client certificate, full access). */
  internalBrokers: string;
  allowListFile: string;
  logFile: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

function javaBinary(given?: string): string {
  if (given) return given;
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** A Kafka Uuid (cluster or directory id): 16 random bytes, base64url without padding. */
function kafkaUuid(): string {
  return crypto.randomBytes(16).toString('base64url');
}

export async function startKafkaBroker(opts: KafkaBrokerOptions): Promise<RunningKafkaBroker> {
  const host = opts.host ?? '127.0.0.1';
  const java = javaBinary(opts.java);
  const [internalPort, controllerPort, sslPort] = [await freePort(), await freePort(), await freePort()];
  const dir = path.join(opts.dir, 'kafka');
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string): string => path.join(dir, name);
  // The PEM key store holds the (unencrypted PKCS#8) key and the certificate.
  fs.writeFileSync(file('server-keystore.pem'), `${opts.serverPrivateKey.trim()}\n${opts.serverCertificate.trim()}\n`, { mode: 0o600 });
  fs.writeFileSync(file('client-ca.pem'), `${opts.clientCa.trim()}\n`);
  const allowListFile = file('allowed-users.txt');
  fs.writeFileSync(allowListFile, '');
  const properties: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@${host}:${controllerPort}`,
    listeners: `INTERNAL://${host}:${internalPort},CONTROLLER://${host}:${controllerPort},SSL://${host}:${sslPort}`,
    'advertised.listeners': `INTERNAL://${host}:${internalPort},SSL://${host}:${sslPort}`,
    'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL',
    'inter.broker.listener.name': 'INTERNAL',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': file('data'),
    'auto.create.topics.enable': 'true',
    'num.partitions': '1',
    'default.replication.factor': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'listener.name.ssl.ssl.keystore.type': 'PEM',
    'listener.name.ssl.ssl.keystore.location': file('server-keystore.pem'),
    'listener.name.ssl.ssl.truststore.type': 'PEM',
    'listener.name.ssl.ssl.truststore.location': file('client-ca.pem'),
    'listener.name.ssl.ssl.client.auth': 'required',
    // Principals are User:<CN>, the Aiven service user name.
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+).*$/$1/,DEFAULT',
    'principal.builder.class': KAFKA_PRINCIPAL_BUILDER,
    'aivenator.allow.list.file': allowListFile,
  };
  fs.writeFileSync(file('server.properties'), Object.entries(properties).map(([k, v]) => `${k}=${escapeProperty(v)}`).join('\n') + '\n');
  // Warnings and errors, plus the line that says the server is up.
  fs.writeFileSync(file('log4j.properties'), [
    'log4j.rootLogger=WARN, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.server.KafkaRaftServer=INFO',
    '',
  ].join('\n'));

  const classpath = [path.join(opts.libsDir, '*'), opts.pluginDir].join(path.delimiter);
  const jvm = [
    `-Xmx${opts.heap ?? '512m'}`, '-Xms64m', '-Xss512k',
    // Startup speed over peak throughput on a small, busy machine.
    '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${file('log4j.properties')}`,
    '-cp', classpath,
  ];
  const logFile = path.join(opts.dir, 'kafka.log');
  // What `kafka-storage.sh format -t <id> -c server.properties` (kafka.tools.StorageTool)
  // does for one log dir, without a second JVM start (~1.5 s on a busy 2-core box):
  // meta.properties v1. Without the bootstrap.checkpoint format would also write, the
  // controller bootstraps the cluster at the release's default metadata.version
  // (3.9-IV0 for 3.9.x, as format would pick), logged as "the configured bootstrap".
  fs.mkdirSync(file('data'), { recursive: true });
  fs.writeFileSync(file('data/meta.properties'), `version=1\nnode.id=1\ncluster.id=${kafkaUuid()}\ndirectory.id=${kafkaUuid()}\n`);
  const proc = startProcess('kafka', java, [...jvm, 'kafka.Kafka', file('server.properties')], logFile);
  try {
    await waitUntil(proc, async () => fs.readFileSync(logFile, 'utf8').includes('Kafka Server started') && (await tcpOpen(sslPort, host)), 90_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    host,
    sslPort,
    brokers: `${host}:${sslPort}`,
    internalBrokers: `${host}:${internalPort}`,
    allowListFile,
    logFile,
    process: proc,
    stop: () => proc.stop(),
  };
}

/** Java properties: backslashes are escapes, so they are doubled. */
function escapeProperty(value: string): string {
  return value.replace(/\\/g, '\\\\');
}

/**
 * Keeps the broker's allow list equal to the users of the fake Aiven's Kafka
 * services whose `kafka` component points at the broker's SSL listener.
 */
export class KafkaAllowListMirror implements StoreMirror {
  readonly name: string;
  private written?: string;

  constructor(private readonly broker: Pick<RunningKafkaBroker, 'host' | 'sslPort' | 'allowListFile'>) {
    this.name = `kafka ${broker.host}:${broker.sslPort}`;
  }

  follows(service: MirroredService): boolean {
    return service.type === 'kafka' && pointsAt(service, 'kafka', this.broker.host, this.broker.sslPort);
  }

  async sync(users: MirroredUser[]): Promise<void> {
    const content = [...new Set(users.map((u) => u.username))].sort().join('\n') + '\n';
    if (content === this.written) return;
    // Written whole and renamed, so the broker never reads half a list.
    const tmp = `${this.broker.allowListFile}.tmp`;
    await fs.promises.writeFile(tmp, content);
    await fs.promises.rename(tmp, this.broker.allowListFile);
    this.written = content;
  }
}
