import {
  accessSuffix,
  crc32,
  crc32Hex8,
  isValidSecretName,
  kafkaServiceUserName,
  kafkaServiceUserNameWithSuffix,
  kafkaShortAppName,
  kafkaShortTeamName,
  MAX_SERVICE_USER_NAME_LENGTH,
  openSearchUserName,
  secretNameError,
  suffix3,
  valkeyAnnotationPrefix,
  valkeyInstanceKeySuffix,
  valkeyUserName,
} from '../../../src/naming/names';

describe('crc32', () => {
  it('matches the standard CRC-32/IEEE check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(crc32Hex8('')).toBe('00000000');
  });
});

describe('suffix3', () => {
  it('generation 0 + test-app gives 3D_ (reference §3)', () => {
    expect(suffix3(0, 'test-app')).toBe('3D_');
  });

  it('is crc32("<gen><app>") as 4 big-endian bytes, base64url, first 3 chars', () => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(crc32('7my-app'));
    expect(suffix3(7, 'my-app')).toBe(b.toString('base64url').slice(0, 3));
    expect(suffix3(1, 'test-app')).not.toBe(suffix3(0, 'test-app'));
    expect(suffix3(1234567890123, 'x')).toMatch(/^[A-Za-z0-9_-]{3}$/);
  });

  it('rejects non-integer generations', () => {
    expect(() => suffix3(1.5, 'a')).toThrow(TypeError);
    expect(() => suffix3(Number.NaN, 'a')).toThrow(TypeError);
  });
});

describe('accessSuffix', () => {
  it.each([
    ['admin', ''],
    ['write', '-w'],
    ['readwrite', '-rw'],
    ['read', '-r'],
    ['', '-r'],
    [undefined, '-r'],
    ['ADMIN', '-r'],
    ['bogus', '-r'],
  ])('%p → %p', (access, want) => {
    expect(accessSuffix(access)).toBe(want);
  });
});

describe('kafka service user names', () => {
  // Source: nais/liberator pkg/apis/kafka.nais.io/v1/topic_types_test.go, TestAclNameFromTopicAcl.
  it.each([
    ['team-redundant-team', 'team-redundant-team-application', '*', 'redundant-team_application_18515795_*'],
    [
      'team-superlong-team-name',
      'team-superlong-team-name-a-very-long-application-name-that-needs-to-be-shortened',
      '99',
      'superlong-team-name_a-very-long-application-name-t_aef7fe79_99',
    ],
    ['*', '*', '00', '*_*_*_00'],
    ['myteam', '*', '00', 'myteam_*_*_00'],
    ['*', '*-aivia', '99', '*_*-aivia_*_99'],
  ])('liberator vector: team=%p app=%p suffix=%p', (team, app, suffix, want) => {
    const got = kafkaServiceUserNameWithSuffix(team, app, suffix);
    expect(got).toBe(want);
    expect(got.length).toBeLessThanOrEqual(MAX_SERVICE_USER_NAME_LENGTH);
  });

  // Source: nais/liberator pkg/apis/kafka.nais.io/v1/topic_types_test.go, Test_shortAppName.
  it.each([
    ['myteam', 'myapp', 'myapp'],
    ['myteam', 'myteammyapp', 'myapp'],
    ['myteam', 'myteam-myapp', 'myapp'],
    ['myteam', 'a-very-long-application-name-that-needs-to-be-shortened', 'a-very-long-application-name-t'],
    ['myteam', 'myteam-a-very-long-application-name-that-needs-to-be-shortened', 'a-very-long-application-name-t'],
    ['myteam', 'myteam-a-long-application-name-which-needs-to-be-shortened', 'a-long-application-name-which'],
    ['myteam', '*', '*'],
    ['*', '*', '*'],
    ['myteam', 'myteam', 'myteam'],
    [
      'an-unusually-long-name-that-needs-to-be-shorter',
      'an-unusually-long-name-that-needs-to-be-shorter',
      'an-unusually-long-name-that-ne',
    ],
  ])('liberator shortAppName(%p, %p) → %p', (team, app, want) => {
    expect(kafkaShortAppName(team, app)).toBe(want);
  });

  // Source: nais/liberator pkg/apis/kafka.nais.io/v1/topic_types_test.go, Test_shortTeamName.
  it.each([
    ['myteam', 'myteam'],
    ['teammyteam', 'myteam'],
    ['team-myteam', 'myteam'],
    ['a-very-long-team-name-that-needs-to-be-shortened', 'a-very-long-team-nam'],
    ['team-a-very-long-team-name-that-needs-to-be-shortened', 'a-very-long-team-nam'],
    ['team-superlong-team-name-actually-very-long', 'superlong-team-name'],
    ['*', '*'],
    ['team', 'team'],
  ])('liberator shortTeamName(%p) → %p', (team, want) => {
    expect(kafkaShortTeamName(team)).toBe(want);
  });

  it('builds <team>_<app>_<crc32hex8(team+app)>_<suffix3> from namespace, name and generation', () => {
    const name = kafkaServiceUserName('test-ns', 'test-app', 0);
    expect(name).toBe(`test-ns_test-app_${crc32Hex8('test-nstest-app')}_3D_`);
  });

  it('hashes the full (unshortened) team and app names, and cuts the short parts', () => {
    const team = 'team-superlong-team-name';
    const app = `${team}-a-very-long-application-name-that-needs-to-be-shortened`;
    const name = kafkaServiceUserName(team, app, 3);
    expect(name).toBe(`superlong-team-name_a-very-long-application-name-t_aef7fe79_${suffix3(3, app)}`);
    expect(name.length).toBeLessThanOrEqual(MAX_SERVICE_USER_NAME_LENGTH);
  });

  it('never exceeds 64 characters for maximal Kubernetes names', () => {
    const team = 'x'.repeat(63);
    const app = 'y'.repeat(253);
    const name = kafkaServiceUserName(team, app, 999999);
    expect(name.length).toBe(MAX_SERVICE_USER_NAME_LENGTH);
  });

  it('does not crash on degenerate inputs Go would panic on', () => {
    expect(kafkaShortTeamName('---')).toBe('');
    expect(kafkaShortAppName('t', '')).toBe('');
    expect(kafkaShortTeamName('team-')).toBe('');
  });
});

describe('OpenSearch and Valkey user names', () => {
  // Source: nais/aivenator pkg/handlers/opensearch tests: legacySeededUsername = "team-a-r-3D_"
  // (namespace team-a, app test-app, generation 0) and testNamespace+"-r-3D_" with testNamespace "my-namespace".
  it('opensearch: <ns><access>-<suffix3>', () => {
    expect(openSearchUserName('team-a', 'read', 0, 'test-app')).toBe('team-a-r-3D_');
    expect(openSearchUserName('my-namespace', 'read', 0, 'test-app')).toBe('my-namespace-r-3D_');
    expect(openSearchUserName('team-a', undefined, 0, 'test-app')).toBe('team-a-r-3D_');
    expect(openSearchUserName('team-a', 'admin', 0, 'test-app')).toBe('team-a-3D_');
    expect(openSearchUserName('team-a', 'write', 0, 'test-app')).toBe('team-a-w-3D_');
  });

  // Source: nais/aivenator pkg/services/valkey/valkey_test.go testInstances: "test-app-r-3D_" (read),
  // "test-app-rw-3D_" (readwrite), app test-app, generation 0.
  it('valkey: <app><access>-<suffix3>', () => {
    expect(valkeyUserName('test-app', 'read', 0)).toBe('test-app-r-3D_');
    expect(valkeyUserName('test-app', 'readwrite', 0)).toBe('test-app-rw-3D_');
    expect(valkeyUserName('test-app', 'admin', 0)).toBe('test-app-3D_');
  });

  it('does not truncate', () => {
    const app = 'a'.repeat(100);
    expect(valkeyUserName(app, 'read', 0)).toBe(`${app}-r-${suffix3(0, app)}`);
  });

  // Source: nais/aivenator pkg/services/valkey/valkey_test.go (VALKEY_USERNAME_MY_INSTANCE1,
  // my-instance1.valkey.aiven.nais.io/serviceUser, SESSION_STORE, WITH_REPLICA).
  it('valkey key suffix and annotation prefix', () => {
    expect(valkeyInstanceKeySuffix('my-instance1')).toBe('MY_INSTANCE1');
    expect(valkeyInstanceKeySuffix('session-store')).toBe('SESSION_STORE');
    expect(valkeyInstanceKeySuffix('with-replica')).toBe('WITH_REPLICA');
    expect(valkeyAnnotationPrefix('my-instance1')).toBe('my-instance1');
    expect(valkeyInstanceKeySuffix('a.b_C')).toBe('A_B__');
    expect(valkeyAnnotationPrefix('a.b_C')).toBe('a-b--');
  });
});

describe('secret names', () => {
  it.each(['a', 'secret-1', 'aiven-kafka-myapp-2025-12-0', '0', 'a'.repeat(63), '123-abc'])('valid: %p', (n) => {
    expect(isValidSecretName(n)).toBe(true);
    expect(secretNameError(n)).toBeUndefined();
  });

  it.each(['', '-a', 'a-', 'A', 'my_secret', 'my.secret', 'a'.repeat(64), ' a', 'a\n', 'æ'])('invalid: %p', (n) => {
    expect(isValidSecretName(n)).toBe(false);
    expect(secretNameError(n)).toEqual(expect.any(String));
  });

  it('gives Kubernetes-style messages', () => {
    expect(secretNameError('')).toBe('invalid Secret name "": must not be empty');
    expect(secretNameError('My_Secret')).toBe(
      'invalid Secret name "My_Secret": a lowercase RFC 1123 label must consist of lower case alphanumeric ' +
        "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or " +
        "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
    expect(secretNameError('a'.repeat(64))).toBe(`invalid Secret name "${'a'.repeat(64)}": must be no more than 63 characters`);
    expect(secretNameError(`-${'a'.repeat(64)}`)).toContain('must be no more than 63 characters; a lowercase RFC 1123 label');
  });

  it('rejects non-strings at runtime', () => {
    expect(isValidSecretName(undefined as unknown as string)).toBe(false);
  });
});
