import {
  KAFKA_BINARY_KEYS,
  KAFKA_SECRET_KEYS,
  KAFKA_STRING_KEYS,
  isPoolAllowed,
  kafkaAddresses,
  kafkaAnnotations,
  kafkaCleanupTarget,
  kafkaSecretData,
  kafkaServiceCandidates,
} from '../../../src/handlers/kafka';
import {
  MissingAnnotationError,
  MissingServiceComponentError,
  MissingUserCredentialError,
  baseSecretMetadata,
  commonSecretData,
} from '../../../src/handlers/secret-meta';
import type { ServiceComponent, ServiceInfo, ServiceUser } from '../../../src/aiven/types';

function kafkaService(components: ServiceComponent[]): ServiceInfo {
  return { service_name: 'nav-dev-kafka', service_type: 'kafka', state: 'RUNNING', service_uri: 'ignored:1', components };
}

const certKafka: ServiceComponent = {
  component: 'kafka',
  host: 'cert.kafka.example',
  port: 26484,
  route: 'dynamic',
  usage: 'primary',
  kafka_authentication_method: 'certificate',
};
const saslKafka: ServiceComponent = { ...certKafka, host: 'sasl.kafka.example', port: 26494, kafka_authentication_method: 'sasl' };
const registry: ServiceComponent = { component: 'schema_registry', host: 'registry.example', port: 26487, route: 'dynamic', usage: 'primary' };

const user: ServiceUser = {
  username: 'team_app_0a1b2c3d_3D_',
  type: 'normal',
  password: 'avns_password',
  access_cert: '-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n',
  access_key: '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n',
};

describe('kafkaServiceCandidates', () => {
  it('tries `kafka` first, then `<pool>-kafka` (liberator CachedNameResolver)', () => {
    expect(kafkaServiceCandidates('nav-dev')).toEqual(['kafka', 'nav-dev-kafka']);
  });
});

describe('isPoolAllowed', () => {
  // Go test pkg/services/kafka/kafka_test.go: projects = ["dev-nais-dev", "a-project-name"], invalid "not-my-testing-pool".
  const allowed = ['dev-nais-dev', 'a-project-name'];
  it.each([
    ['dev-nais-dev', true],
    ['a-project-name', true],
    ['not-my-testing-pool', false],
    ['DEV-NAIS-DEV', false],
    ['', false],
  ])('%s → %s', (pool, expected) => {
    expect(isPoolAllowed(pool, allowed)).toBe(expected);
  });
  it('allows nothing with an empty list', () => {
    expect(isPoolAllowed('dev-nais-dev', [])).toBe(false);
  });
});

describe('kafkaAddresses', () => {
  it('gives brokers without a scheme and the registry with https', () => {
    expect(kafkaAddresses(kafkaService([certKafka, registry]))).toEqual({
      brokers: 'cert.kafka.example:26484',
      schemaRegistry: 'https://registry.example:26487',
    });
  });

  it('prefers the certificate listener when SASL is also listed, whatever the order', () => {
    expect(kafkaAddresses(kafkaService([saslKafka, certKafka, registry])).brokers).toBe('cert.kafka.example:26484');
    expect(kafkaAddresses(kafkaService([certKafka, saslKafka, registry])).brokers).toBe('cert.kafka.example:26484');
  });

  it('takes an entry without an authentication method over a SASL one, and a lone SASL entry as Go would', () => {
    const plain: ServiceComponent = { component: 'kafka', host: 'plain.example', port: 1, route: 'dynamic', usage: 'primary' };
    expect(kafkaAddresses(kafkaService([saslKafka, plain])).brokers).toBe('plain.example:1');
    expect(kafkaAddresses(kafkaService([saslKafka])).brokers).toBe('sasl.kafka.example:26494');
  });

  it('ignores replica entries and takes the first primary registry', () => {
    const replicaKafka: ServiceComponent = { ...certKafka, host: 'replica.example', usage: 'replica' };
    const secondRegistry: ServiceComponent = { ...registry, host: 'registry2.example', route: 'public' };
    expect(kafkaAddresses(kafkaService([replicaKafka, certKafka, registry, secondRegistry]))).toEqual({
      brokers: 'cert.kafka.example:26484',
      schemaRegistry: 'https://registry.example:26487',
    });
  });

  it('writes an empty registry like Go when there is none', () => {
    expect(kafkaAddresses(kafkaService([certKafka])).schemaRegistry).toBe('');
  });

  it('fails with MissingServiceComponentError without a kafka/primary component', () => {
    const replicaOnly: ServiceComponent = { ...certKafka, usage: 'replica' };
    expect(() => kafkaAddresses(kafkaService([registry, replicaOnly]))).toThrow(MissingServiceComponentError);
    try {
      kafkaAddresses({ ...kafkaService([]), components: undefined });
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(MissingServiceComponentError);
      expect(err).toMatchObject({ serviceName: 'nav-dev-kafka', component: 'kafka', usage: 'primary' });
    }
  });
});

describe('kafkaSecretData', () => {
  const input = {
    user,
    addresses: { brokers: 'cert.kafka.example:26484', schemaRegistry: 'https://registry.example:26487' },
    caPem: 'POOL-CA',
    credStorePassword: 'changeme',
    keystoreP12: Buffer.from('my-keystore'),
    truststoreJks: Buffer.from('my-truststore'),
    now: new Date('2025-03-04T05:06:07.890Z'),
  };

  it('has exactly the reference keys with the right values', () => {
    const data = kafkaSecretData(input);
    expect(Object.keys(data).sort()).toEqual(
      [
        'KAFKA_BROKERS',
        'KAFKA_CA',
        'KAFKA_CERTIFICATE',
        'KAFKA_CREDSTORE_PASSWORD',
        'KAFKA_PRIVATE_KEY',
        'KAFKA_SCHEMA_REGISTRY',
        'KAFKA_SCHEMA_REGISTRY_PASSWORD',
        'KAFKA_SCHEMA_REGISTRY_USER',
        'KAFKA_SECRET_UPDATED',
        'client.keystore.p12',
        'client.truststore.jks',
      ].sort(),
    );
    expect(data).toEqual({
      KAFKA_CERTIFICATE: user.access_cert,
      KAFKA_PRIVATE_KEY: user.access_key,
      KAFKA_BROKERS: 'cert.kafka.example:26484',
      KAFKA_SCHEMA_REGISTRY: 'https://registry.example:26487',
      KAFKA_SCHEMA_REGISTRY_USER: 'team_app_0a1b2c3d_3D_',
      KAFKA_SCHEMA_REGISTRY_PASSWORD: 'avns_password',
      KAFKA_CA: 'POOL-CA',
      KAFKA_CREDSTORE_PASSWORD: 'changeme',
      KAFKA_SECRET_UPDATED: '2025-03-04T05:06:07Z',
      'client.keystore.p12': Buffer.from('my-keystore'),
      'client.truststore.jks': Buffer.from('my-truststore'),
    });
    expect(Buffer.isBuffer(data['client.keystore.p12'])).toBe(true);
    expect(Buffer.isBuffer(data['client.truststore.jks'])).toBe(true);
  });

  it('exports key lists that match the data (strings vs binary)', () => {
    const data = kafkaSecretData(input);
    expect([...KAFKA_SECRET_KEYS].sort()).toEqual(Object.keys(data).sort());
    for (const k of KAFKA_STRING_KEYS) expect(typeof data[k]).toBe('string');
    expect([...KAFKA_BINARY_KEYS]).toEqual(['client.keystore.p12', 'client.truststore.jks']);
  });

  it('together with commonSecretData gives the full Secret data of the Go test (minus binaries)', () => {
    // pkg/services/kafka/kafka_test.go "should re-use supplied secret" expects these StringData keys.
    const all = { ...commonSecretData(input.now, 'MAIN-CA'), ...kafkaSecretData(input) };
    const strings = Object.keys(all).filter((k) => typeof all[k] === 'string');
    expect(strings.sort()).toEqual(
      [
        'KAFKA_CA',
        'KAFKA_PRIVATE_KEY',
        'KAFKA_CREDSTORE_PASSWORD',
        'KAFKA_SCHEMA_REGISTRY',
        'KAFKA_SCHEMA_REGISTRY_USER',
        'KAFKA_SCHEMA_REGISTRY_PASSWORD',
        'KAFKA_BROKERS',
        'KAFKA_SECRET_UPDATED',
        'KAFKA_CERTIFICATE',
        'AIVEN_CA',
        'AIVEN_SECRET_UPDATED',
      ].sort(),
    );
    expect(all.AIVEN_CA).toBe('MAIN-CA');
    expect(all.KAFKA_CA).toBe('POOL-CA');
  });

  it('refuses a user without certificate or key', () => {
    expect(() => kafkaSecretData({ ...input, user: { ...user, access_cert: undefined } })).toThrow(MissingUserCredentialError);
    expect(() => kafkaSecretData({ ...input, user: { ...user, access_key: '' } })).toThrow(MissingUserCredentialError);
  });
});

describe('kafkaAnnotations', () => {
  it('annotates the user and the pool', () => {
    expect(kafkaAnnotations(user, 'nav-dev')).toEqual({
      'kafka.aiven.nais.io/serviceUser': 'team_app_0a1b2c3d_3D_',
      'kafka.aiven.nais.io/pool': 'nav-dev',
    });
    expect(kafkaAnnotations('service-user-name', 'a-project-name')).toEqual({
      'kafka.aiven.nais.io/serviceUser': 'service-user-name',
      'kafka.aiven.nais.io/pool': 'a-project-name',
    });
  });

  it('merged with the base metadata gives exactly the annotations of the Go test', () => {
    // pkg/services/kafka/kafka_test.go "succeeds when succesfully creating missing serviceusers".
    const annotations = {
      ...baseSecretMetadata({ name: 'test-app', namespace: 'test-ns', spec: {} }).annotations,
      ...kafkaAnnotations('service-user-name', 'a-project-name'),
    };
    expect(annotations).toEqual({
      'kafka.aiven.nais.io/serviceUser': 'service-user-name',
      'aivenator.aiven.nais.io/protected': 'false',
      'nais.io/deploymentCorrelationID': '',
      'kafka.aiven.nais.io/pool': 'a-project-name',
    });
  });
});

describe('kafkaCleanupTarget', () => {
  it('does nothing without a user annotation (Go "no error on cleanup")', () => {
    expect(kafkaCleanupTarget({})).toBeNull();
    expect(kafkaCleanupTarget(undefined)).toBeNull();
    expect(kafkaCleanupTarget({ 'kafka.aiven.nais.io/pool': 'nav-dev' })).toBeNull();
    expect(kafkaCleanupTarget({ 'kafka.aiven.nais.io/serviceUser': '' })).toBeNull();
  });

  it('deletes the annotated user in the pool project, service resolved from the pool', () => {
    // pkg/services/kafka/kafka_test.go "delete serviceUser on cleanup".
    expect(
      kafkaCleanupTarget({
        'kafka.aiven.nais.io/serviceUser': 'service-user-name',
        'kafka.aiven.nais.io/pool': 'a-project-name',
        'opensearch.aiven.nais.io/serviceName': 'unrelated',
      }),
    ).toEqual({ project: 'a-project-name', serviceCandidates: ['kafka', 'a-project-name-kafka'], username: 'service-user-name' });
  });

  it('returns an error when the pool annotation is missing or empty', () => {
    const cases: Record<string, string>[] = [
      { 'kafka.aiven.nais.io/serviceUser': 'u' },
      { 'kafka.aiven.nais.io/serviceUser': 'u', 'kafka.aiven.nais.io/pool': '' },
    ];
    for (const annotations of cases) {
      const result = kafkaCleanupTarget(annotations);
      expect(result).toBeInstanceOf(MissingAnnotationError);
      expect((result as MissingAnnotationError).annotation).toBe('kafka.aiven.nais.io/pool');
      expect((result as MissingAnnotationError).message).toContain('u');
    }
  });
});
