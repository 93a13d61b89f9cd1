// The leak scanner finds a credential in every form it could take in a
// history, a log or a Kubernetes object, and not where there is none. (The
// scan itself is secret-leak-scan.test.ts.)
import * as crypto from 'node:crypto';
import type { IssuedSecret } from '../../src/fake-aiven/types';
import { historyText } from '../env/history';
import { LeakScanner } from '../env/leak-scan';

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const issued: IssuedSecret[] = [
  { kind: 'password', project: 'p', service: 'valkey-x', username: 'app-rw-abc', value: 'AVNS_Zq8xY2kLmN4pQr7sTuV', issuedAt: '' },
  { kind: 'private_key', project: 'p', service: 'kafka', username: 'team_app_1234abcd_abc', value: keyPem, issuedAt: '' },
];
const scanner = new LeakScanner(issued);
const kinds = (text: string) => scanner.scan('test', text).map((h) => `${h.kind} ${h.form}`);
const midLine = keyPem.split('\n')[10];

it.each([
  ['a password in a log line', `{"level":"info","msg":"created","password":"AVNS_Zq8xY2kLmN4pQr7sTuV"}`, 'password itself'],
  ['a password glued to other text', 'value=xAVNS_Zq8xY2kLmN4pQr7sTuVabc', 'password itself'],
  ['a password as Secret data', `"data":{"VALKEY_PASSWORD":"${Buffer.from('AVNS_Zq8xY2kLmN4pQr7sTuV').toString('base64')}"}`, 'password base64'],
  ['a private key in a JSON payload', JSON.stringify({ key: keyPem }), 'private_key PEM line'],
  ['a private key in a doubly escaped JSON string', JSON.stringify(JSON.stringify({ key: keyPem })), 'private_key PEM line'],
  ['a private key as Secret data', `"KAFKA_PRIVATE_KEY":"${Buffer.from(keyPem).toString('base64')}"`, 'private_key base64'],
  ['a private key as one line of DER base64', `key=${privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')};`, 'private_key PEM line'],
  ['one line of a private key', `... ${midLine} ...`, 'private_key PEM line'],
])('finds %s', (_what, text, found) => {
  expect(kinds(text)).toContain(found);
});

it('finds a credential in a decoded workflow history payload', () => {
  const history = { events: [{ activityTaskCompletedEventAttributes: { result: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ username: 'app-rw-abc', password: 'AVNS_Zq8xY2kLmN4pQr7sTuV' })) }] } } }] };
  expect(kinds(historyText(history))).toEqual(['password itself']);
});

it('finds nothing in text without credentials, names included', () => {
  expect(kinds(JSON.stringify({ username: 'app-rw-abc', service: 'valkey-x', note: 'Secret written (data hash 0123456789abcdef)', key: keyPem.slice(0, 40) }))).toEqual([]);
});
