// Micro-benchmark: CPU per Kafka Secret's key stores (buildKafkaKeyStores), not a test.
// Run: npx tsc --outDir /tmp/ksbench --module commonjs --target es2022 --esModuleInterop --skipLibCheck \
//        test/unit/keystores/bench.ts && NODE_PATH=$PWD/node_modules node /tmp/ksbench/test/unit/keystores/bench.js [rounds]
import { buildKafkaKeyStores, randomStorePassword } from '../../../src/keystores';
import { makeCa, makeClient } from './test-pki';

const rounds = Number(process.argv[2] ?? 50);
const ca = makeCa('Bench CA');
const client = makeClient(ca);
const input = { certPem: client.certPem, keyPem: client.keyPem, caPem: ca.certPem, password: randomStorePassword() };

for (let i = 0; i < 3; i++) buildKafkaKeyStores(input); // warm-up
const samples: number[] = [];
for (let i = 0; i < rounds; i++) {
  const before = process.cpuUsage();
  buildKafkaKeyStores(input);
  const used = process.cpuUsage(before);
  samples.push((used.user + used.system) / 1000);
}
samples.sort((a, b) => a - b);
const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
const pct = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
console.log(JSON.stringify({ rounds, cpuMsMean: +mean.toFixed(2), cpuMsP50: +pct(0.5).toFixed(2), cpuMsP90: +pct(0.9).toFixed(2) }));
