// The real Temporal dev server runs a workflow with an activity, and knows our search attributes.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../../src/temporal/search-attributes';
import { world } from '../../env/world';

describe('Temporal dev server test world', () => {
  it('runs a workflow whose activity does the work', async () => {
    const { address, namespace } = world().temporal;
    const taskQueue = `trivial-${Date.now()}`;
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/trivial-workflow'),
      activities: { greet: async (name: string) => `hello ${name}` },
    });
    const connection = await Connection.connect({ address });
    try {
      const client = new Client({ connection, namespace });
      const result = await worker.runUntil(
        client.workflow.execute('greeting', { taskQueue, workflowId: `trivial-${Date.now()}`, args: ['aivenator'] }),
      );
      expect(result).toBe('workflow says: hello aivenator');
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
  });
});
