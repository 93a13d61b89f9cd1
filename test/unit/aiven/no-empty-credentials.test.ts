// No Secret may receive an empty credential: the functions that turn Aiven's
// answers into Secret data refuse empty, null and redacted values.
import type { ServiceUser } from '../../../src/aiven/types';
import { kafkaSecretData } from '../../../src/handlers/kafka';
import { openSearchSecretData } from '../../../src/handlers/opensearch';
import { MissingUserCredentialError } from '../../../src/handlers/secret-meta';
import { valkeySecretData } from '../../../src/handlers/valkey';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const BUNDLE = `${PEM}${PEM.replace('MIIB', 'MIIC')}`;
const user: ServiceUser = { username: 'team_app_1a2b3c4d_x', type: 'normal', password: 'AVNS_pw', access_cert: PEM, access_key: '-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n' };
const kafkaInput = {
  user,
  addresses: { brokers: 'b:1', schemaRegistry: 'https://r:2' },
  caPem: BUNDLE,
  credStorePassword: 'store-pw',
  keystoreP12: Buffer.from([1]),
  truststoreJks: Buffer.from([2]),
  now: new Date('2026-01-01T00:00:00Z'),
};
const osAddresses = { uri: 'https://h:1', host: 'h', port: '1', dashboardUri: '', dashboardHost: '', dashboardPort: '0' };
const valkeyAddresses = { primary: { uri: 'valkeys://h:1', host: 'h', port: '1' } };
const EMPTY: [string, unknown][] = [['empty', ''], ['blank', '  '], ['null', null], ['undefined', undefined], ['redacted', '<redacted>']];

describe.each(EMPTY)('a %s credential', (_label, value) => {
  const bad = value as string;
  it.each(['password', 'access_cert', 'access_key'] as const)('in the Kafka user %s is refused', (field) => {
    expect(() => kafkaSecretData({ ...kafkaInput, user: { ...user, [field]: bad } })).toThrow(MissingUserCredentialError);
  });
  it('as the Kafka CA or store password is refused', () => {
    expect(() => kafkaSecretData({ ...kafkaInput, caPem: bad })).toThrow(MissingUserCredentialError);
    expect(() => kafkaSecretData({ ...kafkaInput, credStorePassword: bad })).toThrow(MissingUserCredentialError);
  });
  it('as an OpenSearch or Valkey password is refused', () => {
    expect(() => openSearchSecretData({ username: 'u', password: bad }, osAddresses)).toThrow(MissingUserCredentialError);
    expect(() => valkeySecretData('cache', { username: 'u', password: bad }, valkeyAddresses)).toThrow(MissingUserCredentialError);
  });
});

describe('usable credentials', () => {
  it('reach the Secret data; a CA bundle reaches KAFKA_CA whole', () => {
    const data = kafkaSecretData(kafkaInput);
    expect(data.KAFKA_SCHEMA_REGISTRY_PASSWORD).toBe('AVNS_pw');
    expect(data.KAFKA_CA).toBe(BUNDLE);
    expect(openSearchSecretData({ username: 'u', password: 'p' }, osAddresses).OPEN_SEARCH_PASSWORD).toBe('p');
    expect(valkeySecretData('cache', { username: 'u', password: 'p' }, valkeyAddresses).VALKEY_PASSWORD_CACHE).toBe('p');
  });

  it('empty key stores are refused too', () => {
    expect(() => kafkaSecretData({ ...kafkaInput, keystoreP12: Buffer.alloc(0) })).toThrow(MissingUserCredentialError);
    expect(() => kafkaSecretData({ ...kafkaInput, truststoreJks: Buffer.alloc(0) })).toThrow(MissingUserCredentialError);
  });
});
