// A tenant as the API server sees one: a ServiceAccount whose Role allows only
// Secrets in its own namespace, with a token from the TokenRequest API. What
// the tenant does goes through that token; only setup that a team does with
// other rights (applications, aiven.io objects) uses the admin client.
import * as k8s from '@kubernetes/client-node';
import { kubeConfigFor } from '../../../src/devworld/kube-apiserver';
import { FINALIZER } from '../../../src/handlers/secret-meta';
import { adminKubeConfig, world } from '../../env/world';
import { eventually } from '../../env/aivenator';

export interface Tenant {
  namespace: string;
  core: k8s.CoreV1Api;
}

export async function tenantIn(namespace: string): Promise<Tenant> {
  const admin = adminKubeConfig();
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'tenant' } } });
  await rbac.createNamespacedRole({
    namespace,
    body: { metadata: { name: 'tenant-secrets' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'tenant-secrets' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-secrets' },
      subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace }],
    },
  });
  const request = await core.createNamespacedServiceAccountToken({ namespace, name: 'tenant', body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  return { namespace, core: kubeConfigFor(world().kube.server, request.status!.token).makeApiClient(k8s.CoreV1Api) };
}

export const MANAGED = { type: 'aivenator.aiven.nais.io', 'aivenator.aiven.nais.io/protected': 'false' };

/** The forged Secret: labelled as Aivenator's, with its finalizer and the annotations given. */
export async function forge(t: Tenant, name: string, annotations: Record<string, string>, app = 'checkout'): Promise<k8s.V1Secret> {
  return t.core.createNamespacedSecret({
    namespace: t.namespace,
    body: { metadata: { name, labels: { ...MANAGED, app, team: t.namespace }, annotations, finalizers: [FINALIZER] }, data: {} },
  });
}

export async function deleteAndWaitGone(t: Tenant, name: string): Promise<void> {
  await t.core.deleteNamespacedSecret({ namespace: t.namespace, name });
  await eventually(async () => {
    try {
      await t.core.readNamespacedSecret({ namespace: t.namespace, name });
      return undefined;
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 404) return true;
      throw err;
    }
  }, 30_000, `Secret ${t.namespace}/${name} gone`);
}

export function isForbidden(err: unknown): boolean {
  return err instanceof k8s.ApiException && err.code === 403;
}

/** Creates the namespace if it is not there (fixture namespaces have fixed names). */
export async function ensureNamespace(name: string): Promise<void> {
  try {
    await adminKubeConfig().makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
  }
}
