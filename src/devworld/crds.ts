// Installs the CRDs users apply (deploy/crds) and waits until they are served.
import * as k8s from '@kubernetes/client-node';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** deploy/crds of the checkout, from the sources (src/devworld) or the compiled output (dist/src/devworld). */
export const CRD_DIR = [path.resolve(__dirname, '..', '..', 'deploy', 'crds'), path.resolve(__dirname, '..', '..', '..', 'deploy', 'crds')].find((d) => fs.existsSync(d))
  ?? path.resolve(__dirname, '..', '..', 'deploy', 'crds');

export async function installCrds(kc: k8s.KubeConfig, dir = CRD_DIR): Promise<string[]> {
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const names: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of k8s.loadAllYaml(fs.readFileSync(path.join(dir, file), 'utf8'))) {
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
