// A Kafka Secret is correct only if applications can use it. Against a real
// Apache Kafka broker (KRaft, SSL listener requiring client certificates signed by
// the fake Aiven's project CA, started once per run by the global setup), clients
// nobody here wrote are configured from the Secret alone:
//   - kafkajs from KAFKA_BROKERS, KAFKA_CA, KAFKA_CERTIFICATE, KAFKA_PRIVATE_KEY;
//   - a Java application from client.keystore.p12, client.truststore.jks and
//     KAFKA_CREDSTORE_PASSWORD;
//   - keytool and openssl read the stores and check the PEM triple.
// Then the Secret and its user go, and the broker refuses the certificate.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { AivenatorUnderTest, eventually, fakeAiven, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { createApp, custom, decoded, getApp, secretOrUndefined } from '../reconcile/fixtures';
import {
  compileJavaClient,
  deleteSecretThroughFinalizer,
  execFileAsync,
  javaClientConfig,
  kafkajsFromSecret,
  kafkajsRoundTrip,
  tempDir,
  type JavaClient,
  type SecretData,
} from './clients';

const kafkaWorld = world().kafka;
// AIVENATOR_TEST_KAFKA=0 runs the suite without a broker; these tests need one.
const describeWithBroker = kafkaWorld ? describe : describe.skip;

describeWithBroker('a Kafka Secret works with real clients against a real broker', () => {
  const broker = kafkaWorld!;
  const secretName = 'app-kafka';
  let namespace: string;
  let aivenator: AivenatorUnderTest;
  let secret: SecretData;
  let username: string;
  let dir: string;
  let javaClient: Promise<JavaClient>;

  beforeAll(async () => {
    dir = tempDir('kafka-credentials');
    // javac runs while Aivenator reconciles.
    javaClient = compileJavaClient(broker.libsDir, dir);
    javaClient.catch(() => undefined);
    namespace = await freshNamespace('kafka-cred');
    aivenator = await startAivenator({ namespace });
    await createApp(namespace, 'app', { kafka: { pool: broker.project, secretName } });
    await eventually(async () => ((await getApp(namespace, 'app')).status?.synchronizationState === 'RolloutComplete' ? true : undefined), 45_000, 'RolloutComplete');
    const written = (await secretOrUndefined(namespace, secretName))!;
    secret = decoded(written);
    username = written.metadata!.annotations!['kafka.aiven.nais.io/serviceUser'];
    for (const key of ['KAFKA_CA', 'KAFKA_CERTIFICATE', 'KAFKA_PRIVATE_KEY']) fs.writeFileSync(path.join(dir, `${key}.pem`), secret[key]);
  });
  afterAll(() => aivenator?.stop());

  const pem = (key: string): string => path.join(dir, `${key}.pem`);

  it('points KAFKA_BROKERS at the broker the fake Aiven reports', () => {
    expect(secret.KAFKA_BROKERS.toString()).toBe(broker.brokers);
  });

  it('lets kafkajs, configured only from the PEM keys and KAFKA_BROKERS, produce and consume', async () => {
    const value = `hello from kafkajs ${Date.now()}`;
    await expect(kafkajsRoundTrip(kafkajsFromSecret(secret), `${namespace}-kafkajs`, `${namespace}-kafkajs`, value)).resolves.toBe(value);
  });

  it('lets a Java client, configured only from the key stores and KAFKA_CREDSTORE_PASSWORD, produce and consume', async () => {
    const client = await javaClient;
    const value = `hello from Java ${Date.now()}`;
    const { stdout } = await client.run(javaClientConfig(secret, dir), `${namespace}-java`, `${namespace}-java`, value);
    expect(stdout).toContain(`consumed: ${value}`);
  }, 120_000);

  it('has key stores keytool opens with KAFKA_CREDSTORE_PASSWORD, and no other', async () => {
    const password = secret.KAFKA_CREDSTORE_PASSWORD.toString();
    const keystore = path.join(dir, 'keytool.p12');
    const truststore = path.join(dir, 'keytool.jks');
    fs.writeFileSync(keystore, secret['client.keystore.p12']);
    fs.writeFileSync(truststore, secret['client.truststore.jks']);
    const list = (file: string, type: string, pass: string) => execFileAsync('keytool', ['-list', '-v', '-keystore', file, '-storetype', type, '-storepass', pass]);
    const keys = (await list(keystore, 'PKCS12', password)).stdout;
    expect(keys).toMatch(/Entry type: PrivateKeyEntry/);
    expect(keys).toContain(`Owner: CN=${username}`);
    // OpenSSL 3 opens the key store without -legacy: PBES2/AES-256 and an HMAC-SHA256 MAC.
    const info = await execFileAsync('openssl', ['pkcs12', '-info', '-nodes', '-in', keystore, '-passin', `pass:${password}`]);
    expect(info.stderr).toMatch(/MAC: sha256/);
    expect(info.stderr).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
    expect(info.stdout).toContain('-----BEGIN PRIVATE KEY-----');
    const trusted = (await list(truststore, 'JKS', password)).stdout;
    expect(trusted).toMatch(/Keystore type: JKS/i);
    expect(trusted).toMatch(/Entry type: trustedCertEntry/);
    // keytool reports on stdout and exits 1.
    const refusal = (file: string, type: string) => list(file, type, `${password}x`).then(() => 'opened', (err: { stdout?: string }) => err.stdout ?? '');
    expect(await refusal(keystore, 'PKCS12')).toMatch(/keytool error: .*(integrity check failed|password was incorrect)/i);
    expect(await refusal(truststore, 'JKS')).toMatch(/keytool error: .*password was incorrect/i);
  });

  it('has a certificate openssl verifies against KAFKA_CA, for the key in KAFKA_PRIVATE_KEY', async () => {
    const verify = await execFileAsync('openssl', ['verify', '-CAfile', pem('KAFKA_CA'), pem('KAFKA_CERTIFICATE')]);
    expect(verify.stdout.trim()).toBe(`${pem('KAFKA_CERTIFICATE')}: OK`);
    const subject = await execFileAsync('openssl', ['x509', '-noout', '-subject', '-in', pem('KAFKA_CERTIFICATE')]);
    expect(subject.stdout).toMatch(new RegExp(`CN ?= ?${username}\\s*$`));
    // The certificate's public key is the private key's.
    const certModulus = (await execFileAsync('openssl', ['x509', '-noout', '-modulus', '-in', pem('KAFKA_CERTIFICATE')])).stdout.trim();
    const keyModulus = (await execFileAsync('openssl', ['rsa', '-noout', '-modulus', '-in', pem('KAFKA_PRIVATE_KEY')])).stdout.trim();
    expect(certModulus).toMatch(/^Modulus=[0-9A-F]{512}$/);
    expect(keyModulus).toBe(certModulus);
    const certPublic = (await execFileAsync('openssl', ['x509', '-noout', '-pubkey', '-in', pem('KAFKA_CERTIFICATE')])).stdout;
    const keyPublic = (await execFileAsync('openssl', ['pkey', '-pubout', '-in', pem('KAFKA_PRIVATE_KEY')])).stdout;
    expect(keyPublic).toBe(certPublic);
  });

  it('refuses a new connection with the certificate once the Secret is deleted and its user removed', async () => {
    // Nothing may recreate the user: the application goes first. Then the Secret,
    // whose finalizer deletes the Aiven user.
    await custom.deleteNamespacedCustomObject({ ...AIVENAPP, namespace, name: 'app' });
    await deleteSecretThroughFinalizer(namespace, secretName, broker.project, broker.service, username);

    // The certificate is still validly signed by KAFKA_CA (TLS accepts it), but the
    // broker no longer knows the user: it closes every connection that tries.
    const producer = kafkajsFromSecret(secret, { retries: 1, initialRetryTime: 100 }).producer();
    const refused: Error = await producer.connect().then(
      async () => {
        await producer.send({ topic: `${namespace}-kafkajs`, messages: [{ value: 'after revocation' }] });
        await producer.disconnect();
        throw new Error('kafkajs was let in with a deleted user');
      },
      (err: Error) => err,
    );
    expect(refused.name).toMatch(/^KafkaJS(NumberOfRetriesExceeded|ConnectionError)$/);
    expect(refused.message).toMatch(/Closed connection/);
    await producer.disconnect().catch(() => undefined);
    // The broker says why.
    const reason = `certificate of User:${username} is valid but its user no longer exists`;
    await eventually(async () => (fs.readFileSync(broker.logFile, 'utf8').includes(reason) ? true : undefined), 10_000, 'the refusal in the broker log');

    // A user that still exists gets in at the same moment: the refusal is about the user.
    const admin = (await fakeAiven().getUser(broker.project, broker.service, 'avnadmin'))!;
    const adminSecret: SecretData = {
      ...secret,
      KAFKA_CERTIFICATE: Buffer.from(admin.access_cert!),
      KAFKA_PRIVATE_KEY: Buffer.from(admin.access_key!),
    };
    const value = `still open for existing users ${Date.now()}`;
    await expect(kafkajsRoundTrip(kafkajsFromSecret(adminSecret), `${namespace}-control`, `${namespace}-control`, value)).resolves.toBe(value);
  });
});
