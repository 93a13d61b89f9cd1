// History <-> Temporal's JSON history format (what `temporal workflow show
// --output json` and the Web UI's download write).
//
// Why not @temporalio/common's historyToJSON/historyFromJSON: with this
// dependency tree npm installs two copies of protobufjs 8 (one under
// @temporalio/common, one under @temporalio/proto, since the hoisted copy is
// grpc's protobufjs 7), and the SDK's helpers hand a type from one copy to the
// JSON codec of the other, which fails with "type must be a Type". Here the
// codec is loaded from the copy @temporalio/proto itself uses.
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import * as path from 'node:path';

type History = proto.temporal.api.history.v1.IHistory;
type Json = Record<string, unknown>;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

let codec: { json: ProtoJson; historyType: unknown } | undefined;

function historyCodec(): { json: ProtoJson; historyType: unknown } {
  if (!codec) {
    const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
    const patched = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
    codec = { json, historyType: patched.lookupType('temporal.api.history.v1.History') };
  }
  return codec;
}

export function historyToJson(history: History): Json {
  const { json, historyType } = historyCodec();
  return json.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)) as Json;
}

/** Accepts the JSON of current tools and of older ones (enum values without their prefix, as the SDK does). */
export function historyFromJson(history: unknown): History {
  if (typeof history !== 'object' || history === null || !Array.isArray((history as { events?: unknown }).events)) {
    throw new TypeError('expected an object with an array of events');
  }
  const { json, historyType } = historyCodec();
  const loaded = json.fromJson(historyType, { events: (history as { events: Json[] }).events.map(fixEvent) }, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('not a valid history');
  return loaded as History;
}

function constantCase(s: string): string {
  return s.replace(/[^\b][A-Z]/g, (m) => `${m[0]}_${m[1]}`).toUpperCase();
}

function fixEnum(obj: Json | undefined, attr: string, prefix: string): Json | undefined {
  const value = obj?.[attr];
  if (typeof value !== 'string') return undefined;
  return { [attr]: value.startsWith(prefix) ? value : `${prefix}_${constantCase(value)}` };
}

function fixEvent(e: Json): Json {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes'));
  if (!key) throw new TypeError(`a history event without attributes: ${JSON.stringify(e).slice(0, 200)}`);
  const attrs = e[key] as Json;
  const taskQueue = attrs.taskQueue as Json | undefined;
  const childInfo = attrs.childWorkflowExecutionFailureInfo as Json | undefined;
  return {
    ...e,
    ...fixEnum(e, 'eventType', 'EVENT_TYPE'),
    [key]: {
      ...attrs,
      ...(taskQueue ? { taskQueue: { ...taskQueue, ...fixEnum(taskQueue, 'kind', 'TASK_QUEUE_KIND') } } : {}),
      ...fixEnum(attrs, 'parentClosePolicy', 'PARENT_CLOSE_POLICY'),
      ...fixEnum(attrs, 'workflowIdReusePolicy', 'WORKFLOW_ID_REUSE_POLICY'),
      ...fixEnum(attrs, 'initiator', 'CONTINUE_AS_NEW_INITIATOR'),
      ...fixEnum(attrs, 'retryState', 'RETRY_STATE'),
      ...(childInfo ? { childWorkflowExecutionFailureInfo: { ...childInfo, ...fixEnum(childInfo, 'retryState', 'RETRY_STATE') } } : {}),
    },
  };
}
