// What a test uses to reach the shared test world started by global-setup.ts.
import * as k8s from '@kubernetes/client-node';
import * as fs from 'node:fs';
import { kubeConfigFor } from '../../src/devworld/kube-apiserver';
import type { WorldInfo } from '../../src/devworld/world';

export const WORLD_ENV = 'AIVENATOR_TEST_WORLD';

export interface TestWorld extends WorldInfo {
  /** The workflow code, bundled once by the global setup. */
  workflowBundlePath: string;
}

export function world(): TestWorld {
  const file = process.env[WORLD_ENV];
  if (!file) throw new Error(`${WORLD_ENV} is not set: run the integration tests through jest.config.js (global setup)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TestWorld;
}

export function adminKubeConfig(): k8s.KubeConfig {
  const w = world();
  return kubeConfigFor(w.kube.server, w.kube.adminToken);
}

let counter = 0;

/** Creates a fresh namespace: the apiserver runs no namespace controller, so tests never share or delete them. */
export async function freshNamespace(prefix = 't'): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
  await adminKubeConfig().makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}
