// During a project CA rotation Aiven's `kms/ca` answers a bundle of two CAs, and
// a broker may already present a certificate from the new one. Against a real
// Apache Kafka broker of its own — server certificate signed by the *second* CA
// of the bundle, client certificates trusted through the bundle — a Java client
// configured only from the Secret's key stores, and kafkajs from its PEM keys,
// must connect. A client trusting only the first CA must not: that is what makes
// the second certificate in the trust store matter.
import * as fs from 'node:fs';
import { Kafka } from 'kafkajs';
import { findTools } from '../../../src/devworld/tools';
import { startKafkaBroker, type RunningKafkaBroker } from '../../../src/devworld/kafka-broker';
import { AivenatorUnderTest, eventually, fakeAiven, isConverged, startAivenator } from '../../env/aivenator';
import { freshNamespace, world } from '../../env/world';
import { createApp, decoded, getApp, secretOrUndefined } from '../reconcile/fixtures';
import { compileJavaClient, javaClientConfig, kafkajsFromSecret, kafkajsRoundTrip, tempDir, type JavaClient, type SecretData } from './clients';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const kafkaWorld = world().kafka;
// AIVENATOR_TEST_KAFKA=0 runs the suite without Kafka; this test needs the jars.
const describeWithBroker = kafkaWorld ? describe : describe.skip;

describeWithBroker('a Kafka Secret made during a CA rotation works against a broker on the new CA', () => {
  const project = `rotation-${Date.now().toString(36)}`;
  const secretName = 'rotating-kafka';
  let dir: string;
  let broker: RunningKafkaBroker;
  let aivenator: AivenatorUnderTest;
  let namespace: string;
  let secret: SecretData;
  let bundle: string[];
  let javaClient: Promise<JavaClient>;

  beforeAll(async () => {
    dir = tempDir('ca-bundle');
    javaClient = compileJavaClient(kafkaWorld!.libsDir, dir);
    javaClient.catch(() => undefined);
    const tools = findTools();
    const aiven = fakeAiven();
    namespace = await freshNamespace('ca-bundle');
    await aiven.putProject({ name: project, services: [{ name: 'kafka', type: 'kafka' }] });
    await aiven.setKnobs({ caBundle: true });
    // The broker already moved to the next CA; it trusts client certificates from either.
    const server = await aiven.issueServerCertificate(project, ['127.0.0.1', 'localhost'], 'next');
    bundle = server.ca.match(PEM_BLOCK)!;
    expect(bundle).toHaveLength(2);
    broker = await startKafkaBroker({
      libsDir: tools.kafkaLibs!,
      pluginDir: tools.kafkaPlugin!,
      dir,
      serverCertificate: server.certificate,
      serverPrivateKey: server.privateKey,
      clientCa: server.ca,
      heap: '384m',
    });
    const { components = [] } = await aiven.getService(project, 'kafka');
    await aiven.patchService(project, 'kafka', {
      components: components.map((c) => (c.component === 'kafka' ? { ...c, host: broker.host, port: broker.sslPort } : c)),
    });
    aivenator = await startAivenator({ namespace, projects: [...world().aiven.projects, project] });
    await createApp(namespace, 'app', { kafka: { pool: project, secretName } });
    await eventually(async () => (isConverged(await getApp(namespace, 'app')) ? true : undefined), 60_000, 'RolloutComplete');
    const written = (await secretOrUndefined(namespace, secretName))!;
    secret = decoded(written);
    // The broker admits only listed principals (see kafka-broker.ts); this user is the one Aiven has.
    fs.writeFileSync(broker.allowListFile, `${written.metadata!.annotations!['kafka.aiven.nais.io/serviceUser']}\n`);
  }, 180_000);

  afterAll(async () => {
    await fakeAiven().resetKnobs();
    await aivenator?.stop();
    await broker?.stop();
    await fakeAiven().deleteProject(project).catch(() => undefined);
  });

  it('carries the whole bundle in KAFKA_CA', () => {
    expect(secret.KAFKA_CA.toString().match(PEM_BLOCK)).toEqual(bundle);
  });

  it('lets a Java client, configured only from the key stores, produce and consume', async () => {
    const client = await javaClient;
    const value = `rotation from Java ${Date.now()}`;
    const { stdout } = await client.run(javaClientConfig(secret, dir), `${namespace}-java`, `${namespace}-java`, value);
    expect(stdout).toContain(`consumed: ${value}`);
  }, 120_000);

  it('lets kafkajs, configured from KAFKA_CA, KAFKA_CERTIFICATE and KAFKA_PRIVATE_KEY, produce and consume', async () => {
    const value = `rotation from kafkajs ${Date.now()}`;
    await expect(kafkajsRoundTrip(kafkajsFromSecret(secret), `${namespace}-kafkajs`, `${namespace}-kafkajs`, value)).resolves.toBe(value);
  });

  it('refuses a client that trusts only the first CA of the bundle (so the second one is needed)', async () => {
    const onlyFirst = { ...secret, KAFKA_CA: Buffer.from(`${bundle[0]}\n`) };
    const kafka: Kafka = kafkajsFromSecret(onlyFirst, { retries: 0, initialRetryTime: 100 });
    const admin = kafka.admin();
    // The TLS handshake fails on the broker's certificate, not anything later.
    await expect(admin.connect()).rejects.toThrow(/certificate|verify/i);
    await admin.disconnect().catch(() => undefined);
  });
});
