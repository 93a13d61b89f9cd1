// Contract: Kafka users get real X.509 client certificates from the project CA,
// plus the renewal knob and acknowledge-renewal (aiven-api.md §10).

import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { defaultWorld, type RunningFakeAiven } from '../../../src/fake-aiven';
import { PROJECT, call, expectErrorShape, startFake, svc, userPath } from './helpers';

const DAY_MS = 24 * 60 * 60 * 1000;

let fake: RunningFakeAiven;
let caPem: string;

beforeAll(async () => {
  fake = await startFake({ projects: defaultWorld({ projects: [PROJECT, 'other-pool'] }) });
  caPem = (await call(fake, 'GET', `project/${PROJECT}/kms/ca`)).body.certificate;
});

afterAll(() => fake.close());

async function createKafkaUser(username: string): Promise<{ access_cert: string; access_key: string; password: string; access_cert_not_valid_after_time: string }> {
  const res = await call(fake, 'POST', `${svc('kafka')}/user`, { body: { username } });
  expect(res.status).toBe(200);
  return res.body.user;
}

describe('kafka user credentials', () => {
  const username = 'team_app_1a2b3c4d_3D_';
  let user: Awaited<ReturnType<typeof createKafkaUser>>;

  beforeAll(async () => {
    user = await createKafkaUser(username);
  });

  it('come with a certificate, a PKCS#8 key and a password on create', () => {
    expect(user.access_cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(user.access_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(user.password).toMatch(/^AVNS_/);
  });

  it('have a certificate signed by the project CA, with CN = username', () => {
    const cert = new X509Certificate(user.access_cert);
    const ca = new X509Certificate(caPem);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subject).toBe(`CN=${username}`);
    expect(cert.ca).toBe(false);
  });

  it('is not signed by another project\'s CA', async () => {
    const otherCa = new X509Certificate((await call(fake, 'GET', 'project/other-pool/kms/ca')).body.certificate);
    const cert = new X509Certificate(user.access_cert);
    expect(cert.verify(otherCa.publicKey)).toBe(false);
  });

  it('have a private key matching the certificate (RSA 2048)', () => {
    const cert = new X509Certificate(user.access_cert);
    const key = createPrivateKey(user.access_key);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkPrivateKey(key)).toBe(true);
  });

  it('are valid for 820 days, reported in access_cert_not_valid_after_time', () => {
    const cert = new X509Certificate(user.access_cert);
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    expect(to - from).toBe(820 * DAY_MS);
    expect(Math.abs(from - Date.now())).toBeLessThan(60_000);
    expect(Date.parse(user.access_cert_not_valid_after_time)).toBe(to);
  });

  it('redact access_key (and password) without include_secrets, keep access_cert', async () => {
    const redacted = (await call(fake, 'GET', userPath('kafka', username))).body.user;
    expect(redacted.password).toBe('<redacted>');
    expect(redacted.access_key).toBe('<redacted>');
    expect(redacted.access_cert).toBe(user.access_cert);
    const plain = (await call(fake, 'GET', `${userPath('kafka', username)}?include_secrets=true`)).body.user;
    expect(plain.access_key).toBe(user.access_key);
    expect(plain.password).toBe(user.password);
  });

  it('work for mutual TLS against a server whose certificate the project CA signed', async () => {
    const serverCert = await fake.control.issueServerCertificate(PROJECT, ['127.0.0.1', 'localhost']);
    expect(serverCert.ca).toBe(caPem);
    const server = tls.createServer(
      { cert: serverCert.certificate, key: serverCert.privateKey, ca: [caPem], requestCert: true, rejectUnauthorized: true },
      (socket) => socket.end(`hello ${socket.getPeerCertificate().subject.CN}`),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, cert: user.access_cert, key: user.access_key, ca: [caPem] });
        let data = '';
        socket.on('data', (d) => (data += d.toString()));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(greeting).toBe(`hello ${username}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('are recorded in the ledger of issued secrets', async () => {
    const mine = (await fake.control.listIssuedSecrets()).filter((s) => s.username === username);
    expect(mine.map((s) => s.kind).sort()).toEqual(['certificate', 'password', 'private_key']);
    expect(mine.find((s) => s.kind === 'private_key')?.value).toBe(user.access_key);
  });
});

describe('reset-credentials for a kafka user', () => {
  it('issues a new certificate and key', async () => {
    const before = await createKafkaUser('reset_me');
    const res = await call(fake, 'PUT', userPath('kafka', 'reset_me'), { body: { operation: 'reset-credentials' } });
    expect(res.status).toBe(200);
    const listed = res.body.service.users.find((u: { username: string }) => u.username === 'reset_me');
    expect(listed.access_key).toBe('<redacted>');
    expect(listed.access_cert).not.toBe(before.access_cert);
    const after = await fake.control.getUser(PROJECT, 'kafka', 'reset_me');
    expect(after?.access_key).not.toBe(before.access_key);
    expect(new X509Certificate(after!.access_cert!).checkPrivateKey(createPrivateKey(after!.access_key!))).toBe(true);
  });
});

describe('certificate renewal', () => {
  it('a renewal issues a new cert+key and keeps the old not-after in expiring_cert_not_valid_after_time', async () => {
    const before = await createKafkaUser('renew_me');
    const renewed = await fake.control.startRenewal(PROJECT, 'kafka', 'renew_me');
    expect(renewed.access_cert).not.toBe(before.access_cert);
    expect(renewed.access_key).not.toBe(before.access_key);
    expect(renewed.expiring_cert_not_valid_after_time).toBe(before.access_cert_not_valid_after_time);

    const seen = (await call(fake, 'GET', `${userPath('kafka', 'renew_me')}?include_secrets=true`)).body.user;
    expect(seen.expiring_cert_not_valid_after_time).toBe(before.access_cert_not_valid_after_time);
    expect(seen.access_cert).toBe(renewed.access_cert);
    expect(new X509Certificate(seen.access_cert).checkIssued(new X509Certificate(caPem))).toBe(true);

    const ack = await call(fake, 'PUT', userPath('kafka', 'renew_me'), { body: { operation: 'acknowledge-renewal' } });
    expect(ack.status).toBe(200);
    const acked = ack.body.service.users.find((u: { username: string }) => u.username === 'renew_me');
    expect(acked.expiring_cert_not_valid_after_time).toBeUndefined();
    expect(acked.access_cert).toBe(renewed.access_cert);
  });

  it('acknowledge-renewal without a pending renewal is a harmless no-op', async () => {
    await createKafkaUser('no_renewal');
    const res = await call(fake, 'PUT', userPath('kafka', 'no_renewal'), { body: { operation: 'acknowledge-renewal' } });
    expect(res.status).toBe(200);
  });

  it('renewal is refused for non-kafka users and missing users', async () => {
    await fake.control.putService(PROJECT, { name: 'opensearch-a-b', type: 'opensearch' });
    await expect(fake.control.startRenewal(PROJECT, 'opensearch-a-b', 'avnadmin')).rejects.toThrow(/400/);
    await expect(fake.control.startRenewal(PROJECT, 'kafka', 'ghost')).rejects.toThrow(/404/);
  });

  it('answers 404 for acknowledge-renewal of a missing user', async () => {
    expectErrorShape(await call(fake, 'PUT', userPath('kafka', 'ghost'), { body: { operation: 'acknowledge-renewal' } }), 404);
  });
});
