import * as fs from 'node:fs';
import * as net from 'node:net';
import { freePort } from '../../../src/devworld/process';

function ephemeralLow(): number {
  const range = '/proc/sys/net/ipv4/ip_local_port_range';
  return fs.existsSync(range) ? Number(fs.readFileSync(range, 'utf8').trim().split(/\s+/)[0]) : 32768;
}

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range that can be listened on', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThan(ephemeralLow());
    }
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

});
