import {
  AIVEN_CA_KEY,
  AIVEN_SECRET_UPDATED_KEY,
  ANNOTATION_DEPLOYMENT_CORRELATION_ID,
  ANNOTATION_EXPIRES_AT,
  ANNOTATION_PROTECTED,
  ANNOTATION_WITH_TIME_LIMIT,
  EMPTY_ADDRESS,
  FINALIZER,
  InvalidExpiresAtError,
  KAFKA_POOL_ANNOTATION,
  KAFKA_SERVICE_USER_ANNOTATION,
  LABEL_APP,
  LABEL_PROTECTED,
  LABEL_SECRET_GENERATION,
  LABEL_TEAM,
  LABEL_TYPE,
  OPENSEARCH_PROJECT_ANNOTATION,
  OPENSEARCH_SERVICE_NAME_ANNOTATION,
  OPENSEARCH_SERVICE_USER_ANNOTATION,
  SECRET_TYPE,
  SIGNATURE_ANNOTATION,
  VALKEY_PROJECT_ANNOTATION,
  VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX,
  VALKEY_SERVICE_USER_ANNOTATION_SUFFIX,
  aivenatorSecretSelector,
  baseSecretMetadata,
  commonSecretData,
  componentAddress,
  findComponent,
  formatRfc3339,
  parseRfc3339,
  secretGenerationLabelValue,
  secretMetaSource,
} from '../../../src/handlers/secret-meta';
import type { ServiceInfo } from '../../../src/aiven/types';
import type { AivenApplication } from '../../../src/kube/aivenapp-types';

describe('constants', () => {
  it('match nais/aivenator constants/constants.go and the per-handler annotation names', () => {
    expect({
      LABEL_APP,
      LABEL_TEAM,
      LABEL_TYPE,
      SECRET_TYPE,
      LABEL_SECRET_GENERATION,
      LABEL_PROTECTED,
      ANNOTATION_PROTECTED,
      ANNOTATION_DEPLOYMENT_CORRELATION_ID,
      ANNOTATION_WITH_TIME_LIMIT,
      ANNOTATION_EXPIRES_AT,
      FINALIZER,
      KAFKA_SERVICE_USER_ANNOTATION,
      KAFKA_POOL_ANNOTATION,
      OPENSEARCH_SERVICE_USER_ANNOTATION,
      OPENSEARCH_SERVICE_NAME_ANNOTATION,
      OPENSEARCH_PROJECT_ANNOTATION,
      VALKEY_SERVICE_USER_ANNOTATION_SUFFIX,
      VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX,
      VALKEY_PROJECT_ANNOTATION,
      AIVEN_SECRET_UPDATED_KEY,
      AIVEN_CA_KEY,
    }).toEqual({
      LABEL_APP: 'app',
      LABEL_TEAM: 'team',
      LABEL_TYPE: 'type',
      SECRET_TYPE: 'aivenator.aiven.nais.io',
      LABEL_SECRET_GENERATION: 'aiven.nais.io/secret-generation',
      LABEL_PROTECTED: 'aivenator.aiven.nais.io/protected',
      ANNOTATION_PROTECTED: 'aivenator.aiven.nais.io/protected',
      ANNOTATION_DEPLOYMENT_CORRELATION_ID: 'nais.io/deploymentCorrelationID',
      ANNOTATION_WITH_TIME_LIMIT: 'aivenator.aiven.nais.io/with-time-limit',
      ANNOTATION_EXPIRES_AT: 'aivenator.aiven.nais.io/expires-at',
      FINALIZER: 'aivenator.aiven.nais.io/finalizer',
      KAFKA_SERVICE_USER_ANNOTATION: 'kafka.aiven.nais.io/serviceUser',
      KAFKA_POOL_ANNOTATION: 'kafka.aiven.nais.io/pool',
      OPENSEARCH_SERVICE_USER_ANNOTATION: 'opensearch.aiven.nais.io/serviceUser',
      OPENSEARCH_SERVICE_NAME_ANNOTATION: 'opensearch.aiven.nais.io/serviceName',
      OPENSEARCH_PROJECT_ANNOTATION: 'opensearch.aiven.nais.io/project',
      VALKEY_SERVICE_USER_ANNOTATION_SUFFIX: 'valkey.aiven.nais.io/serviceUser',
      VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX: 'valkey.aiven.nais.io/serviceName',
      VALKEY_PROJECT_ANNOTATION: 'valkey.aiven.nais.io/project',
      AIVEN_SECRET_UPDATED_KEY: 'AIVEN_SECRET_UPDATED',
      AIVEN_CA_KEY: 'AIVEN_CA',
    });
  });

  it('builds the janitor label selectors', () => {
    expect(aivenatorSecretSelector()).toBe('type=aivenator.aiven.nais.io');
    expect(aivenatorSecretSelector('my-app')).toBe('app=my-app,type=aivenator.aiven.nais.io');
  });
});

describe('provenance signature annotation', () => {
  it("is Aivenator's own, outside every annotation the Go aivenator writes or reads", () => {
    expect(SIGNATURE_ANNOTATION).toBe('aivenator.aiven.nais.io/signature');
    const goKeys = [ANNOTATION_PROTECTED, ANNOTATION_DEPLOYMENT_CORRELATION_ID, ANNOTATION_WITH_TIME_LIMIT, ANNOTATION_EXPIRES_AT, KAFKA_SERVICE_USER_ANNOTATION, KAFKA_POOL_ANNOTATION];
    expect(goKeys).not.toContain(SIGNATURE_ANNOTATION);
    expect(SIGNATURE_ANNOTATION.endsWith(VALKEY_SERVICE_NAME_ANNOTATION_SUFFIX)).toBe(false);
  });

  it('is not part of the base metadata (only a write that names users signs)', () => {
    const meta = baseSecretMetadata({ name: 'app', namespace: 'ns', spec: {} });
    expect(Object.keys(meta.annotations)).not.toContain(SIGNATURE_ANNOTATION);
  });
});

describe('baseSecretMetadata', () => {
  it('gives the exact labels and annotations of an unprotected app without labels or annotations', () => {
    // Expected values from nais/aivenator pkg/services/opensearch/opensearch_test.go
    // ("Uses the existing user"): app test-app in my-namespace, no generation label.
    const meta = baseSecretMetadata({ name: 'test-app', namespace: 'my-namespace', spec: {} });
    expect(meta.labels).toEqual({
      type: 'aivenator.aiven.nais.io',
      app: 'test-app',
      team: 'my-namespace',
      'aiven.nais.io/secret-generation': '0',
      'aivenator.aiven.nais.io/protected': 'false',
    });
    expect(meta.annotations).toEqual({
      'nais.io/deploymentCorrelationID': '',
      'aivenator.aiven.nais.io/protected': 'false',
    });
    expect(meta.finalizers).toEqual(['aivenator.aiven.nais.io/finalizer']);
  });

  it('copies the generation label and the correlation id', () => {
    const meta = baseSecretMetadata({
      name: 'app',
      namespace: 'team-a',
      labels: { 'aiven.nais.io/secret-generation': '3', unrelated: 'x' },
      annotations: { 'nais.io/deploymentCorrelationID': 'correlation-id', other: 'y' },
      spec: { protected: false },
    });
    expect(meta.labels['aiven.nais.io/secret-generation']).toBe('3');
    expect(meta.labels).not.toHaveProperty('unrelated');
    expect(meta.annotations).toEqual({
      'nais.io/deploymentCorrelationID': 'correlation-id',
      'aivenator.aiven.nais.io/protected': 'false',
    });
  });

  it('marks protected Secrets without a time limit when expiresAt is absent', () => {
    const meta = baseSecretMetadata({ name: 'app', namespace: 'ns', spec: { protected: true } });
    expect(meta.labels['aivenator.aiven.nais.io/protected']).toBe('true');
    expect(meta.annotations).toEqual({
      'nais.io/deploymentCorrelationID': '',
      'aivenator.aiven.nais.io/protected': 'true',
    });
  });

  it('adds the time-limit annotations only when protected AND expiresAt is set, in UTC RFC3339', () => {
    const meta = baseSecretMetadata({
      name: 'app',
      namespace: 'ns',
      spec: { protected: true, expiresAt: '2030-01-02T03:04:05.678+02:00' },
    });
    expect(meta.annotations).toEqual({
      'nais.io/deploymentCorrelationID': '',
      'aivenator.aiven.nais.io/protected': 'true',
      'aivenator.aiven.nais.io/with-time-limit': 'true',
      'aivenator.aiven.nais.io/expires-at': '2030-01-02T01:04:05Z',
    });

    const unprotected = baseSecretMetadata({ name: 'app', namespace: 'ns', spec: { protected: false, expiresAt: '2030-01-02T03:04:05Z' } });
    expect(Object.keys(unprotected.annotations).sort()).toEqual(['aivenator.aiven.nais.io/protected', 'nais.io/deploymentCorrelationID']);

    const emptyExpiry = baseSecretMetadata({ name: 'app', namespace: 'ns', spec: { protected: true, expiresAt: '' } });
    expect(emptyExpiry.annotations).not.toHaveProperty('aivenator.aiven.nais.io/expires-at');
  });

  it('rejects an expiresAt that is not RFC3339 when it would be written', () => {
    expect(() => baseSecretMetadata({ name: 'a', namespace: 'n', spec: { protected: true, expiresAt: 'tomorrow' } })).toThrow(InvalidExpiresAtError);
    // Not written when unprotected, so not validated either.
    expect(() => baseSecretMetadata({ name: 'a', namespace: 'n', spec: { protected: false, expiresAt: 'tomorrow' } })).not.toThrow();
  });

  it('accepts an AivenApplication through secretMetaSource', () => {
    const app: AivenApplication = {
      apiVersion: 'aiven.nais.io/v1',
      kind: 'AivenApplication',
      metadata: { name: 'my-app', namespace: 'my-team', labels: { 'aiven.nais.io/secret-generation': '12' } },
      spec: { protected: true, expiresAt: '2031-12-31T23:59:59Z', kafka: { pool: 'nav-dev' } },
    };
    const meta = baseSecretMetadata(secretMetaSource(app));
    expect(meta.labels).toEqual({
      type: 'aivenator.aiven.nais.io',
      app: 'my-app',
      team: 'my-team',
      'aiven.nais.io/secret-generation': '12',
      'aivenator.aiven.nais.io/protected': 'true',
    });
    expect(meta.annotations['aivenator.aiven.nais.io/expires-at']).toBe('2031-12-31T23:59:59Z');
  });
});

describe('secretGenerationLabelValue (Go strconv.Atoi then Itoa, 0 on error)', () => {
  it.each([
    [undefined, '0'],
    [{}, '0'],
    [{ 'aiven.nais.io/secret-generation': '0' }, '0'],
    [{ 'aiven.nais.io/secret-generation': '5' }, '5'],
    [{ 'aiven.nais.io/secret-generation': '007' }, '7'],
    [{ 'aiven.nais.io/secret-generation': '+3' }, '3'],
    [{ 'aiven.nais.io/secret-generation': '-2' }, '-2'],
    [{ 'aiven.nais.io/secret-generation': '' }, '0'],
    [{ 'aiven.nais.io/secret-generation': 'abc' }, '0'],
    [{ 'aiven.nais.io/secret-generation': ' 1' }, '0'],
    [{ 'aiven.nais.io/secret-generation': '1.5' }, '0'],
    [{ 'aiven.nais.io/secret-generation': '9223372036854775807' }, '9223372036854775807'],
    [{ 'aiven.nais.io/secret-generation': '9223372036854775808' }, '0'],
  ])('%j → %s', (labels, expected) => {
    expect(secretGenerationLabelValue(labels as Record<string, string> | undefined)).toBe(expected);
  });
});

describe('commonSecretData', () => {
  it('writes AIVEN_SECRET_UPDATED as Go time.RFC3339 (whole seconds, Z) and AIVEN_CA', () => {
    expect(commonSecretData(new Date('2024-05-06T07:08:09.987Z'), '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n')).toEqual({
      AIVEN_SECRET_UPDATED: '2024-05-06T07:08:09Z',
      AIVEN_CA: '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n',
    });
  });
});

describe('RFC3339', () => {
  it('formats like Go (truncating fractions)', () => {
    expect(formatRfc3339(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 999)))).toBe('2025-01-02T03:04:05Z');
    expect(() => formatRfc3339(new Date(NaN))).toThrow(RangeError);
  });

  it('parses offsets, fractions and lowercase separators', () => {
    expect(parseRfc3339('2025-01-02T03:04:05Z')?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
    expect(parseRfc3339('2025-01-02t03:04:05z')?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
    expect(parseRfc3339('2025-01-02T03:04:05.123456789-01:30')?.toISOString()).toBe('2025-01-02T04:34:05.123Z');
    expect(parseRfc3339('2024-02-29T00:00:00Z')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it.each(['', '2025-01-02', '2025-01-02 03:04:05Z', '2025-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2025-01-02T24:00:00Z', '2025-01-02T03:04:05', '2025-01-02T03:04:05+2:00'])(
    'rejects %j',
    (value) => {
      expect(parseRfc3339(value)).toBeUndefined();
    },
  );
});

describe('components', () => {
  const service: ServiceInfo = {
    service_name: 's',
    service_type: 'kafka',
    state: 'RUNNING',
    service_uri: 'x',
    components: [
      { component: 'kafka', host: 'replica.example', port: 1, route: 'dynamic', usage: 'replica' },
      { component: 'kafka', host: 'first.example', port: 2, route: 'dynamic', usage: 'primary' },
      { component: 'kafka', host: 'second.example', port: 3, route: 'public', usage: 'primary' },
    ],
  };

  it('finds the first entry with the name and usage', () => {
    expect(findComponent(service, 'kafka')?.host).toBe('first.example');
    expect(findComponent(service, 'kafka', 'replica')?.host).toBe('replica.example');
    expect(findComponent(service, 'schema_registry')).toBeUndefined();
    expect(findComponent({ ...service, components: undefined }, 'kafka')).toBeUndefined();
  });

  it('formats addresses with and without a scheme', () => {
    expect(componentAddress({ host: 'h.example', port: 1234 }, 'https')).toEqual({ uri: 'https://h.example:1234', host: 'h.example', port: '1234' });
    expect(componentAddress({ host: 'h.example', port: 1234 }, '')).toEqual({ uri: 'h.example:1234', host: 'h.example', port: '1234' });
    expect(EMPTY_ADDRESS).toEqual({ uri: '', host: '', port: '0' });
  });
});
