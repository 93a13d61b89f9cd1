import { secretServiceUsers } from '../../../src/janitor/user-refs';
import { serviceUserKey } from '../../../src/janitor/user-key';

describe('secretServiceUsers', () => {
  it('reads the users of every handler from the annotations', () => {
    const { users, problems } = secretServiceUsers({
      'kafka.aiven.nais.io/serviceUser': 'team_app_1234abcd_3D_',
      'kafka.aiven.nais.io/pool': 'dev-nais-dev',
      'opensearch.aiven.nais.io/serviceUser': 'team-r-3D_',
      'opensearch.aiven.nais.io/serviceName': 'opensearch-team-logs',
      'opensearch.aiven.nais.io/project': 'main',
      'cache.valkey.aiven.nais.io/serviceUser': 'app-3D_',
      'cache.valkey.aiven.nais.io/serviceName': 'valkey-team-cache',
      'valkey.aiven.nais.io/project': 'main',
    });
    expect(problems).toEqual([]);
    expect(users).toEqual([
      { handler: 'opensearch', project: 'main', service: 'opensearch-team-logs', username: 'team-r-3D_' },
      { handler: 'kafka', project: 'dev-nais-dev', username: 'team_app_1234abcd_3D_' },
      { handler: 'valkey', project: 'main', service: 'valkey-team-cache', username: 'app-3D_' },
    ]);
  });

  it('reports malformed annotations as problems and keeps what it can identify', () => {
    const { users, problems } = secretServiceUsers({
      'kafka.aiven.nais.io/serviceUser': 'team_app_1234abcd_3D_',
      'cache.valkey.aiven.nais.io/serviceUser': 'app-3D_',
      'cache.valkey.aiven.nais.io/serviceName': 'valkey-team-cache',
      'valkey.aiven.nais.io/project': 'main',
    });
    expect(problems).toEqual(['Kafka: missing annotation kafka.aiven.nais.io/pool: unable to delete Kafka service user team_app_1234abcd_3D_']);
    expect(users.map((u) => u.username)).toEqual(['app-3D_']);
  });

  it('finds nothing on a Secret without handler annotations', () => {
    expect(secretServiceUsers({ 'aivenator.aiven.nais.io/protected': 'false' })).toEqual({ users: [], problems: [] });
    expect(secretServiceUsers(undefined)).toEqual({ users: [], problems: [] });
  });
});

describe('serviceUserKey', () => {
  it('identifies Kafka users by pool and name (the Secret does not record the service)', () => {
    expect(serviceUserKey({ handler: 'kafka', project: 'p', service: 'kafka', username: 'u' })).toBe(serviceUserKey({ handler: 'kafka', project: 'p', username: 'u' }));
  });
  it('tells OpenSearch and Valkey users of different services apart', () => {
    expect(serviceUserKey({ handler: 'valkey', project: 'p', service: 'a', username: 'u' })).not.toBe(serviceUserKey({ handler: 'valkey', project: 'p', service: 'b', username: 'u' }));
  });
});
