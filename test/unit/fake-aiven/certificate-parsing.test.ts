// Every certificate the fake issues must parse with strict X.509 parsers: Node's
// X509Certificate, `openssl x509`, and (when a Go toolchain is on PATH) Go's
// crypto/x509 itself, the parser the Go aivenator uses. Names must be UTF8String:
// a PrintableString cannot hold the `_` of every Kafka user name, and Go refuses
// it while Node, Java and OpenSSL let it pass — so the string type is checked
// directly (node-forge's ASN.1 decoder, and `openssl asn1parse`).

import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { defaultWorld, type RunningFakeAiven } from '../../../src/fake-aiven';
import { COMMON_NAME_OID, UTF8STRING_TAG, goRefusals, nameStrings } from './cert-strictness';
import { PROJECT, call, startFake, svc, userPath } from './helpers';

const execFileAsync = promisify(execFile);
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

let fake: RunningFakeAiven;
let dir: string;
/** Label → PEM of every kind of certificate the fake hands out. */
const issued: Record<string, string> = {};

function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A certificate as forge makes it by default: CN as PrintableString, here holding `_`. */
function printableStringCertificate(commonName: string): string {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer([{ name: 'commonName', value: commonName }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-certs-'));
  fake = await startFake({ projects: defaultWorld({ projects: [PROJECT] }) });
  const username = 'team_app_1a2b3c4d_x_Y';
  const user = (await call(fake, 'POST', `${svc('kafka')}/user`, { body: { username } })).body.user;
  issued['client certificate'] = user.access_cert;
  await call(fake, 'PUT', `${userPath('kafka', username)}/credentials/reset`);
  issued['client certificate after reset'] = (await fake.control.getUser(PROJECT, 'kafka', username))!.access_cert!;
  issued['renewed client certificate'] = (await fake.control.startRenewal(PROJECT, 'kafka', username)).access_cert!;
  issued['avnadmin certificate'] = (await fake.control.getUser(PROJECT, 'kafka', 'avnadmin'))!.access_cert!;
  issued['server certificate'] = (await fake.control.issueServerCertificate(PROJECT, ['127.0.0.1', 'localhost'])).certificate;
  issued['server certificate from the next CA'] = (await fake.control.issueServerCertificate(PROJECT, ['localhost'], 'next')).certificate;
  await fake.control.setKnobs({ caBundle: true });
  const [current, next] = ((await call(fake, 'GET', `project/${PROJECT}/kms/ca`)).body.certificate as string).match(PEM_BLOCK)!;
  issued['project CA'] = current!;
  issued['next project CA (bundle)'] = next!;
});

afterAll(async () => {
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const labels = (): string[] => Object.keys(issued);

describe('every certificate the fake issues', () => {
  it('covers all eight kinds', () => {
    expect(labels()).toHaveLength(8);
  });

  it.each([
    'client certificate',
    'client certificate after reset',
    'renewed client certificate',
    'avnadmin certificate',
    'server certificate',
    'server certificate from the next CA',
    'project CA',
    'next project CA (bundle)',
  ])('%s: parses with Node and `openssl x509`, and encodes every name as UTF8String', async (label) => {
    const pem = issued[label]!;
    expect(() => new X509Certificate(pem)).not.toThrow();
    const file = path.join(dir, `${label.replace(/\W+/g, '-')}.pem`);
    fs.writeFileSync(file, pem);
    await expect(execFileAsync('openssl', ['x509', '-noout', '-in', file])).resolves.toBeDefined();

    const names = nameStrings(pem);
    expect(names.filter((n) => n.oid === COMMON_NAME_OID)).toHaveLength(2); // subject and issuer
    for (const n of names) expect({ ...n, tag: n.tag }).toEqual({ ...n, tag: UTF8STRING_TAG });
    expect(goRefusals(pem)).toEqual([]);

    // OpenSSL's own decoding shows the type of the subject CN.
    const { stdout } = await execFileAsync('openssl', ['asn1parse', '-in', file]);
    const cnLines = stdout.split('\n').filter((_, i, lines) => i > 0 && lines[i - 1]!.includes(':commonName'));
    expect(cnLines.length).toBeGreaterThanOrEqual(2);
    for (const line of cnLines) expect(line).toMatch(/UTF8STRING/);
  });

  it('has the user name, `_` and all, as the client certificate subject', () => {
    expect(new X509Certificate(issued['client certificate']!).subject).toBe('CN=team_app_1a2b3c4d_x_Y');
  });
});

describe('the strictness check itself', () => {
  it('flags a PrintableString CN holding `_`, which Node still parses', () => {
    const pem = printableStringCertificate('team_app_1a2b3c4d_x_Y');
    expect(() => new X509Certificate(pem)).not.toThrow();
    expect(nameStrings(pem).find((n) => n.where === 'subject')!.tag).toBe(forge.asn1.Type.PRINTABLESTRING);
    expect(goRefusals(pem)).toEqual([
      'issuer 2.5.4.3: invalid PrintableString "team_app_1a2b3c4d_x_Y"',
      'subject 2.5.4.3: invalid PrintableString "team_app_1a2b3c4d_x_Y"',
    ]);
  });

  it('accepts a PrintableString within its alphabet', () => {
    expect(goRefusals(printableStringCertificate('Plain Name-1'))).toEqual([]);
  });
});

// Go's crypto/x509 is the parser that refused the old certificates; use it when it is here.
(hasGo() ? describe : describe.skip)("Go's crypto/x509", () => {
  let parser: string;

  beforeAll(async () => {
    parser = path.join(dir, 'x509-parse');
    await execFileAsync('go', ['build', '-o', parser, path.join(__dirname, 'go-x509', 'main.go')], {
      env: { ...process.env, GO111MODULE: 'off', GOFLAGS: '' },
    });
  }, 120_000);

  it('parses every certificate the fake issues', async () => {
    const files = labels().map((label, i) => {
      const file = path.join(dir, `go-${i}.pem`);
      fs.writeFileSync(file, issued[label]!);
      return file;
    });
    await expect(execFileAsync(parser, files)).resolves.toBeDefined();
  });

  it('refuses a PrintableString CN holding `_` (the old encoding)', async () => {
    const file = path.join(dir, 'printable.pem');
    fs.writeFileSync(file, printableStringCertificate('team_app_1a2b3c4d_x_Y'));
    const result = await execFileAsync(parser, [file]).then(() => 'accepted', (err: { stdout: string }) => err.stdout);
    expect(result).toMatch(/PrintableString/);
  });
});
