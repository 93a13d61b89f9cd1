// Public entry of the fake Aiven server: start it in-process, or see main.ts.

import type { AddressInfo } from 'node:net';
import { FakeAivenControl } from './control-client';
import { Knobs } from './knobs';
import { KeySource } from './pki';
import { RequestLog } from './request-log';
import { createFakeAivenServer } from './server';
import type { StoreMirror } from './mirror';
import { FakeStore } from './store';
import type { FakeAivenKnobsPatch, FakeProjectSpec } from './types';
import { defaultWorld } from './world';

export const DEFAULT_FAKE_AIVEN_TOKEN = 'fake-aiven-token';

export interface FakeAivenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Accepted as `Authorization: aivenv1 <token>`; default DEFAULT_FAKE_AIVEN_TOKEN. */
  token?: string;
  /**
   * Seed; see defaultWorld(). A bare name is a project with one Kafka service named
   * "kafka" (as defaultWorld builds it). Default: no projects.
   */
  projects?: (string | FakeProjectSpec)[];
  /** Initial knobs (also settable at runtime through the control API). */
  knobs?: FakeAivenKnobsPatch;
}

export interface RunningFakeAiven {
  /** e.g. `http://127.0.0.1:PORT`; Aiven clients append `/v1`. */
  url: string;
  port: number;
  token: string;
  control: FakeAivenControl;
  /**
   * Lets a real server follow the users of some services (see mirror.ts): the
   * mirror syncs now and after every change, before the change is answered.
   */
  addMirror(mirror: StoreMirror): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeAiven(options: FakeAivenOptions = {}): Promise<RunningFakeAiven> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? DEFAULT_FAKE_AIVEN_TOKEN;
  const knobs = new Knobs(options.knobs);
  const store = new FakeStore(new KeySource(() => knobs.kafkaKeyPoolSize()));
  for (const project of options.projects ?? []) {
    await store.putProject(typeof project === 'string' ? defaultWorld({ projects: [project] })[0] : project);
  }
  const server = createFakeAivenServer({ store, knobs, log: new RequestLog(), token });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    token,
    control: new FakeAivenControl(url),
    addMirror: (mirror) => store.addMirror(mirror),
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      });
      await store.closeMirrors();
    },
  };
}

export { FakeAivenControl, FakeAivenControlError } from './control-client';
export { pointsAt } from './mirror';
export type { MirroredService, MirroredUser, StoreMirror } from './mirror';
export { RedisMirror, connectRedis, redisAclRules } from './redis-mirror';
export type { RedisMirrorOptions } from './redis-mirror';
export { defaultWorld, defaultComponents, openSearchServiceName, valkeyServiceName } from './world';
export type { DefaultWorldOptions, ComponentOptions } from './world';
export { OPERATION_NAMES } from './types';
export type * from './types';
export type { ServiceView } from './views';
