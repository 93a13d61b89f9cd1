// CLI: start the fake Aiven from environment variables, print one JSON line with
// its URL, stop on SIGTERM/SIGINT.
//   FAKE_AIVEN_HOST     (default 127.0.0.1)
//   FAKE_AIVEN_PORT     (default 0 = a free port)
//   FAKE_AIVEN_TOKEN    (default "fake-aiven-token")
//   FAKE_AIVEN_PROJECTS space-separated projects, each with a Kafka service "kafka";
//                       write `project:service` to name the Kafka service, e.g. `nav-dev:nav-dev-kafka`.

import { startFakeAiven } from './index';
import type { FakeProjectSpec } from './types';
import { defaultWorld } from './world';

function projectsFromEnv(value: string | undefined): FakeProjectSpec[] {
  const items = (value ?? 'dev-nais-dev').split(/\s+/).filter((s) => s !== '');
  const kafkaNames = new Map(items.map((item) => {
    const [project, service] = item.split(':');
    return [project, service || 'kafka'] as const;
  }));
  return defaultWorld({
    projects: [...kafkaNames.keys()],
    kafkaServiceName: (project) => kafkaNames.get(project) ?? 'kafka',
  });
}

async function main(): Promise<void> {
  const fake = await startFakeAiven({
    host: process.env.FAKE_AIVEN_HOST || undefined,
    port: Number(process.env.FAKE_AIVEN_PORT ?? '0') || 0,
    token: process.env.FAKE_AIVEN_TOKEN || undefined,
    projects: projectsFromEnv(process.env.FAKE_AIVEN_PROJECTS),
  });
  // The token is a test credential chosen by the caller; it is not printed anyway.
  process.stdout.write(`${JSON.stringify({ url: fake.url, port: fake.port })}\n`);
  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-aiven: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
