// Listing in pages must see every object: custom objects come back as raw JSON
// whose continue token is `metadata.continue`, typed lists say `_continue`.
// Missing the second page once made the janitor delete Secrets of applications
// it had not seen.
import { AIVENAPP } from '../../../src/kube/aivenapp-types';
import { forEachItem } from '../../../src/kube/secret-lifecycle';
import { freshNamespace } from '../../env/world';
import { core, createApp, custom } from '../reconcile/fixtures';

describe('paged lists', () => {
  it('follow the continue token of custom objects and of typed lists', async () => {
    const namespace = await freshNamespace('paging');
    for (let i = 0; i < 5; i++) {
      await createApp(namespace, `app-${i}`, { kafka: { pool: 'dev-nais-dev', secretName: `s-${i}` } });
      await core.createNamespacedSecret({ namespace, body: { metadata: { name: `s-${i}` } } });
    }
    const apps: string[] = [];
    await forEachItem<{ metadata: { name: string } }>(
      (token) => custom.listNamespacedCustomObject({ ...AIVENAPP, namespace, limit: 2, _continue: token }),
      (app) => apps.push(app.metadata.name),
    );
    expect(apps.sort()).toEqual(['app-0', 'app-1', 'app-2', 'app-3', 'app-4']);
    const secrets: string[] = [];
    await forEachItem((token) => core.listNamespacedSecret({ namespace, limit: 2, _continue: token }), (s) => secrets.push(s.metadata!.name!));
    expect(secrets.sort()).toEqual(['s-0', 's-1', 's-2', 's-3', 's-4']);
  });
});
