// Runtime-generated keys and certificates for the key-store tests (no key material is committed),
// plus helpers to run keytool/openssl on the results.
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import forge from 'node-forge';

export interface TestIdentity {
  keyPem: string; // PKCS#8
  certPem: string;
  key: crypto.KeyObject;
  cert: crypto.X509Certificate;
}

function certFor(
  subjectCn: string,
  publicKeyPem: string,
  issuer: { cn: string; keyPem: string },
  isCa: boolean,
  serial: string,
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: subjectCn }]);
  cert.setIssuer([{ name: 'commonName', value: issuer.cn }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: isCa }]);
  cert.sign(forge.pki.privateKeyFromPem(issuer.keyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function keyPair(type: 'rsa' | 'ec' = 'rsa'): { keyPem: string; publicPem: string; key: crypto.KeyObject } {
  const { privateKey, publicKey } =
    type === 'rsa' ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }) : crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    key: privateKey,
  };
}

/** A self-signed CA. */
export function makeCa(cn = 'Test Project CA'): TestIdentity {
  const kp = keyPair();
  const certPem = certFor(cn, kp.publicPem, { cn, keyPem: kp.keyPem }, true, '01');
  return { keyPem: kp.keyPem, certPem, key: kp.key, cert: new crypto.X509Certificate(certPem) };
}

/** A client certificate signed by `ca`. */
export function makeClient(ca: TestIdentity, cn = 'test-ns_test-app_0000_3D_', type: 'rsa' | 'ec' = 'rsa'): TestIdentity {
  const kp = keyPair(type);
  if (type === 'ec') return { ...kp, ...opensslSigned(cn, kp.keyPem, ca) };
  const certPem = certFor(cn, kp.publicPem, { cn: ca.cert.subject.replace(/^CN=/, ''), keyPem: ca.keyPem }, false, '02');
  return { keyPem: kp.keyPem, certPem, key: kp.key, cert: new crypto.X509Certificate(certPem) };
}

/** node-forge cannot put an EC key in a certificate: openssl signs those. */
function opensslSigned(cn: string, keyPem: string, ca: TestIdentity): { certPem: string; cert: crypto.X509Certificate } {
  const tmp = tempDir();
  try {
    const csr = run('openssl', ['req', '-new', '-key', tmp.write('key.pem', keyPem), '-subj', `/CN=${cn}`]);
    if (!csr.ok) throw new Error(csr.out);
    const caCert = tmp.write('ca.pem', ca.certPem);
    const caKey = tmp.write('ca-key.pem', ca.keyPem);
    const signed = run('openssl', ['x509', '-req', '-CA', caCert, '-CAkey', caKey, '-set_serial', '3', '-days', '1'], csr.out);
    if (!signed.ok) throw new Error(signed.out);
    const certPem = signed.out.slice(signed.out.indexOf('-----BEGIN CERTIFICATE-----'));
    return { certPem, cert: new crypto.X509Certificate(certPem) };
  } finally {
    tmp.cleanup();
  }
}

export function derOf(certPem: string): Buffer {
  return new crypto.X509Certificate(certPem).raw;
}

export interface ToolResult {
  ok: boolean;
  out: string;
}

/** Runs a tool and returns its combined stdout + stderr and whether it exited 0. */
export function run(cmd: string, args: string[], input?: string): ToolResult {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    timeout: 60_000,
  });
  if (res.error) return { ok: false, out: res.error.message };
  return { ok: res.status === 0, out: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

export function tempDir(): { dir: string; write: (name: string, data: Buffer | string) => string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-keystores-'));
  return {
    dir,
    write: (name, data) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, data, { mode: 0o600 });
      return p;
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** "AB:CD:..." as keytool prints SHA-256 fingerprints. */
export function fingerprint256(certPem: string): string {
  return new crypto.X509Certificate(certPem).fingerprint256;
}
