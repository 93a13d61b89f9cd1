// The Kafka key stores across rewrites, against the real broker with the Java
// client. A pod holds KAFKA_CREDSTORE_PASSWORD in its environment from the
// moment it started, while the kubelet updates the mounted store files in place
// when the Secret is rewritten. So the "pod" here is a client.properties written
// once with the password of the day; every fresh run re-reads the store files
// from the Secret as it is now (a restarted container), and one long-running
// client (a container that keeps running) keeps its first producer and opens new
// producers and consumers from the rewritten files after each rewrite. It must keep
// working across a new generation that keeps the Secret's name, a drift repair
// and a certificate renewal — also for a Secret taken over from the Go
// aivenator, whose password was "changeme". And the trust store must load as
// JKS and as PKCS12 (Go wrote PKCS#12 under the .jks name) with every
// certificate of a CA bundle.
import { X509Certificate } from 'node:crypto';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { jsonPatch } from '../../../src/kube/clients';
import { buildKafkaKeyStores } from '../../../src/keystores';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { core, createApp, decoded, getApp, patchSpec, secretOrUndefined } from '../reconcile/fixtures';
import { compileJavaClient, execFileAsync, tempDir, type JavaClient, type SecretData } from './clients';

const kafkaWorld = world().kafka;
const describeWithBroker = kafkaWorld ? describe : describe.skip;
const DRIFT_INTERVAL_MS = 3000;
type StoreType = 'JKS' | 'PKCS12';

/** The pod's volume: the store files as the Secret holds them now. */
function mountStores(secret: SecretData, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'client.keystore.p12'), secret['client.keystore.p12']);
  fs.writeFileSync(path.join(dir, 'client.truststore.jks'), secret['client.truststore.jks']);
}

/** The pod's environment, fixed when it started: brokers and the store password, as NAIS documents it for Java. */
function podConfig(dir: string, brokers: string, password: string, truststoreType: StoreType): string {
  const config: Record<string, string> = {
    'bootstrap.servers': brokers,
    'security.protocol': 'SSL',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': path.join(dir, 'client.keystore.p12'),
    'ssl.keystore.password': password,
    'ssl.key.password': password,
    'ssl.truststore.type': truststoreType,
    'ssl.truststore.location': path.join(dir, 'client.truststore.jks'),
    'ssl.truststore.password': password,
  };
  const file = path.join(dir, `client-${truststoreType}-${password.length}.properties`);
  fs.writeFileSync(file, Object.entries(config).map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\')}`).join('\n') + '\n', { mode: 0o600 });
  return file;
}

/** test/integration/credentials/java/KafkaLongRunningClient.java, running: one command at a time, one answer a line. */
interface LongRunningClient {
  roundTrip(topic: string, message: string): Promise<string>;
  stop(): void;
}

async function startLongRunningClient(javaClient: JavaClient, dir: string, configFile: string): Promise<LongRunningClient> {
  const classes = path.join(dir, 'classes-long-running');
  fs.mkdirSync(classes, { recursive: true });
  await execFileAsync('javac', ['-nowarn', '-d', classes, '-cp', javaClient.classpath, path.join(__dirname, 'java/KafkaLongRunningClient.java')], { timeout: 60_000 });
  const proc: ChildProcessWithoutNullStreams = spawn('java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', `${javaClient.classpath}${path.delimiter}${classes}`, 'KafkaLongRunningClient', configFile]);
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  readline.createInterface({ input: proc.stdout }).on('line', (line) => (waiting.length > 0 ? waiting.shift()!(line) : lines.push(line)));
  proc.on('exit', (code) => {
    for (const w of waiting.splice(0)) w(`exited ${String(code)}: ${stderr}`);
  });
  const next = (): Promise<string> => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve)));
  const ready = await next();
  if (ready !== 'ready') throw new Error(`long-running Java client did not start: ${ready}\n${stderr}`);
  return {
    async roundTrip(topic, message) {
      proc.stdin.write(`roundtrip ${topic} ${message}\n`);
      return next();
    },
    stop: () => {
      proc.stdin.end('quit\n');
      proc.kill();
    },
  };
}

describeWithBroker('Kafka key stores across rewrites, with the Java client against the real broker', () => {
  const broker = kafkaWorld!;
  const secretName = 'stores-kafka';
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  let dir: string;
  let javaClient: Promise<JavaClient>;
  let runs = 0;
  let running: LongRunningClient | undefined;

  const secretNow = async (): Promise<SecretData> => decoded((await secretOrUndefined(namespace, secretName))!);
  const serviceUser = async (): Promise<string> => (await secretOrUndefined(namespace, secretName))!.metadata!.annotations!['kafka.aiven.nais.io/serviceUser'];

  /** One run of the Java client; resolves to its output, or rejects with it. */
  async function javaRoundTrip(configFile: string): Promise<string> {
    const client = await javaClient;
    const name = `${namespace}-java-${++runs}`;
    const value = `message ${runs} at ${Date.now()}`;
    const { stdout } = await client.run(configFile, name, name, value).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`Java client failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    expect(stdout).toContain(`consumed: ${value}`);
    return stdout;
  }

  /** keytool's view of the key store: it opens with `password` and holds the Secret's certificate. */
  async function expectKeystoreHolds(storeDir: string, password: string, secret: SecretData, username: string): Promise<void> {
    const { stdout } = await execFileAsync('keytool', ['-list', '-v', '-storetype', 'PKCS12', '-keystore', path.join(storeDir, 'client.keystore.p12'), '-storepass', password]);
    expect(stdout).toContain(`Owner: CN=${username}`);
    expect(stdout).toContain(new X509Certificate(secret.KAFKA_CERTIFICATE).fingerprint256);
  }

  beforeAll(async () => {
    dir = tempDir('kafka-stores');
    javaClient = compileJavaClient(broker.libsDir, dir);
    javaClient.catch(() => undefined);
    namespace = await freshNamespace('kafka-stores');
    aivenator = await startAivenator({ namespace, driftIntervalMs: DRIFT_INTERVAL_MS });
    await createApp(namespace, 'app', { kafka: { pool: broker.project, secretName } });
    await eventually(async () => ((await getApp(namespace, 'app')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 45_000, 'RolloutComplete');
  });
  afterAll(async () => {
    running?.stop();
    await aivenator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives a new Secret a fresh password; the Java client loads the trust store as JKS and as PKCS12', async () => {
    const secret = await secretNow();
    const password = secret.KAFKA_CREDSTORE_PASSWORD.toString();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const pod = path.join(dir, 'new');
    mountStores(secret, pod);
    await expectKeystoreHolds(pod, password, secret, await serviceUser());
    for (const type of ['JKS', 'PKCS12'] as const) {
      await javaRoundTrip(podConfig(pod, broker.brokers, password, type));
    }
  }, 240_000);

  it('puts every certificate of a CA bundle in the trust store: the client trusts the broker through the second entry, as JKS and as PKCS12', async () => {
    const secret = await secretNow();
    const password = secret.KAFKA_CREDSTORE_PASSWORD.toString();
    // A bundle as during Aiven's CA rotation: an unrelated CA first, the broker's CA second.
    const other = path.join(dir, 'other-ca');
    await execFileAsync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=Next Aiven CA', '-days', '1', '-keyout', `${other}.key`, '-out', `${other}.pem`]);
    const otherCa = fs.readFileSync(`${other}.pem`, 'utf8');
    const storesFor = (caPem: string) =>
      buildKafkaKeyStores({ certPem: secret.KAFKA_CERTIFICATE.toString(), keyPem: secret.KAFKA_PRIVATE_KEY.toString(), caPem, password });

    const bundle = path.join(dir, 'bundle');
    mountStores({ ...secret, ...renamed(storesFor(`${otherCa}\n${secret.KAFKA_CA.toString()}`)) }, bundle);
    const { stdout } = await execFileAsync('keytool', ['-list', '-storetype', 'JKS', '-keystore', path.join(bundle, 'client.truststore.jks'), '-storepass', password]);
    expect(stdout).toMatch(/Your keystore contains 2 entries/);
    expect(stdout).toMatch(/^ca, .*trustedCertEntry/m);
    expect(stdout).toMatch(/^ca-2, .*trustedCertEntry/m);
    for (const type of ['JKS', 'PKCS12'] as const) {
      await javaRoundTrip(podConfig(bundle, broker.brokers, password, type));
    }

    // The control: with only the unrelated CA the same client cannot get in, so the second entry is what it trusted.
    const wrong = path.join(dir, 'wrong-ca');
    mountStores({ ...secret, ...renamed(storesFor(otherCa)) }, wrong);
    await expect(javaRoundTrip(podConfig(wrong, broker.brokers, password, 'JKS'))).rejects.toThrow(/SSL|PKIX|handshake|certificate/i);
  }, 300_000);

  it("keeps a taken-over Secret's changeme across a new generation that keeps the Secret's name", async () => {
    // The Secret as the Go aivenator left it: stores and KAFKA_CREDSTORE_PASSWORD "changeme".
    const before = await secretNow();
    const goStores = renamed(
      buildKafkaKeyStores({ certPem: before.KAFKA_CERTIFICATE.toString(), keyPem: before.KAFKA_PRIVATE_KEY.toString(), caPem: before.KAFKA_CA.toString(), password: 'changeme' }),
    );
    await core.patchNamespacedSecret(
      {
        namespace,
        name: secretName,
        body: [
          { op: 'replace', path: '/data/KAFKA_CREDSTORE_PASSWORD', value: Buffer.from('changeme').toString('base64') },
          { op: 'replace', path: '/data/client.keystore.p12', value: goStores['client.keystore.p12'].toString('base64') },
          { op: 'replace', path: '/data/client.truststore.jks', value: goStores['client.truststore.jks'].toString('base64') },
        ],
      },
      jsonPatch,
    );
    // A pod that started now holds changeme in its environment.
    const pod = path.join(dir, 'go-pod');
    mountStores(await secretNow(), pod);
    const config = podConfig(pod, broker.brokers, 'changeme', 'JKS');
    const oldUser = await serviceUser();
    // A container that keeps running through every rewrite below, with this environment.
    running = await startLongRunningClient(await javaClient, dir, config);
    await expect(running.roundTrip(`${namespace}-running-0`, 'before any rewrite')).resolves.toBe(`ok ${namespace}-running-0`);

    // protected: true set by hand: a new generation, a new user, the same Secret name.
    const generation = (await getApp(namespace, 'app')).metadata!.generation!;
    await patchSpec(namespace, 'app', { protected: true });
    await eventually(async () => {
      const app = await getApp(namespace, 'app');
      return app.status?.observedGeneration === generation + 1 && app.status?.synchronizationState === 'RolloutComplete' ? true : undefined;
    }, 45_000, 'the new generation rolled out');
    const newUser = await serviceUser();
    expect(newUser).not.toBe(oldUser);

    const after = await secretNow();
    expect(after.KAFKA_CREDSTORE_PASSWORD.toString()).toBe('changeme');
    mountStores(after, pod);
    await expectKeystoreHolds(pod, 'changeme', after, newUser);
    await javaRoundTrip(config);
    await expect(running.roundTrip(`${namespace}-running-1`, 'after a new generation')).resolves.toBe(`ok ${namespace}-running-1`);
  }, 240_000);

  it('keeps it across a drift repair (the user deleted in Aiven behind our back)', async () => {
    const pod = path.join(dir, 'go-pod');
    const config = podConfig(pod, broker.brokers, 'changeme', 'JKS');
    const before = await secretNow();
    const username = await serviceUser();
    await fakeAiven().deleteUser(broker.project, broker.service, username);
    const after = await eventually(async () => {
      const s = await secretNow();
      return s.KAFKA_CERTIFICATE.equals(before.KAFKA_CERTIFICATE) ? undefined : s;
    }, 60_000, 'the Secret repaired with a new certificate');
    expect(after.KAFKA_CREDSTORE_PASSWORD.toString()).toBe('changeme');
    mountStores(after, pod);
    await expectKeystoreHolds(pod, 'changeme', after, username);
    await javaRoundTrip(config);
    await expect(running!.roundTrip(`${namespace}-running-2`, 'after a drift repair')).resolves.toBe(`ok ${namespace}-running-2`);
  }, 240_000);

  it('keeps it across a certificate renewal', async () => {
    const pod = path.join(dir, 'go-pod');
    const config = podConfig(pod, broker.brokers, 'changeme', 'PKCS12');
    const username = await serviceUser();
    const renewed = await fakeAiven().startRenewal(broker.project, broker.service, username);
    const after = await eventually(async () => {
      const s = await secretNow();
      return s.KAFKA_CERTIFICATE.toString() === renewed.access_cert ? s : undefined;
    }, 60_000, 'the renewed certificate in the Secret');
    expect(after.KAFKA_CREDSTORE_PASSWORD.toString()).toBe('changeme');
    mountStores(after, pod);
    await expectKeystoreHolds(pod, 'changeme', after, username);
    await javaRoundTrip(config);
    await expect(running!.roundTrip(`${namespace}-running-3`, 'after a renewal')).resolves.toBe(`ok ${namespace}-running-3`);
  }, 240_000);
});

/** buildKafkaKeyStores' result under the Secret's key names. */
function renamed(stores: { keystoreP12: Buffer; truststoreJks: Buffer }): SecretData {
  return { 'client.keystore.p12': stores.keystoreP12, 'client.truststore.jks': stores.truststoreJks };
}
