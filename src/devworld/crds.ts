// Installs the CRDs the sandbox and the tests need, and waits until they are
// served: the chart's (charts/aivenator/crds, what users install) and minimal
// stand-ins for the aiven-operator's (src/devworld/crds), which a real cluster has.
import * as k8s from '@kubernetes/client-node';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A directory of the checkout, from the sources (src/devworld) or the compiled output (dist/src/devworld). */
function checkoutDir(...parts: string[]): string {
  const candidates = [path.resolve(__dirname, '..', '..', ...parts), path.resolve(__dirname, '..', '..', '..', ...parts)];
  return candidates.find((d) => fs.existsSync(d)) ?? candidates[0];
}

export const CHART_CRD_DIR = checkoutDir('charts', 'aivenator', 'crds');
export const AIVEN_OPERATOR_CRD_DIR = checkoutDir('src', 'devworld', 'crds');
export const CRD_DIRS = [CHART_CRD_DIR, AIVEN_OPERATOR_CRD_DIR];

export async function installCrds(kc: k8s.KubeConfig, dirs: string | string[] = CRD_DIRS): Promise<string[]> {
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const names: string[] = [];
  const files = [dirs].flat().flatMap((dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f)));
  for (const file of files) {
    for (const doc of k8s.loadAllYaml(fs.readFileSync(file, 'utf8'))) {
      const crd = doc as k8s.V1CustomResourceDefinition;
      const name = crd.metadata!.name!;
      try {
        await api.createCustomResourceDefinition({ body: crd });
      } catch (err) {
        if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
        const existing = await api.readCustomResourceDefinition({ name });
        crd.metadata!.resourceVersion = existing.metadata!.resourceVersion;
        await api.replaceCustomResourceDefinition({ name, body: crd });
      }
      names.push(name);
    }
  }
  for (const name of names) await waitEstablished(api, name);
  return names;
}

async function waitEstablished(api: k8s.ApiextensionsV1Api, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const crd = await api.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`CRD ${name} not established after 30s`);
}
