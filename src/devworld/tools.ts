// Finds the server binaries that scripts/tools.sh builds and caches by version.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface ToolPaths {
  temporal: string;
  etcd: string;
  kubeApiserver: string;
  /** Apache Kafka's version and jars (a directory), fetched from Maven Central. */
  kafkaVersion?: string;
  kafkaLibs?: string;
  /** The compiled test/tools/kafka principal builder (a class directory). */
  kafkaPlugin?: string;
  /** helm, for the chart's tests (absent from a versions.json of an older tools.sh). */
  helm?: string;
  /** A directory with the prometheus-operator CRDs (ServiceMonitor, PrometheusRule). */
  monitoringCrds?: string;
  /** test/tools/promql: Prometheus's PromQL parser over a JSON array of expressions. */
  promql?: string;
}

export function toolsDir(): string {
  return process.env.AIVENATOR_TOOLS_DIR ?? path.join(os.homedir(), '.cache', 'aivenator', 'tools');
}

export function findTools(): ToolPaths {
  const manifest = path.join(toolsDir(), 'versions.json');
  if (!fs.existsSync(manifest)) {
    throw new Error(`test servers not built: ${manifest} is missing; run 'bash scripts/tools.sh' first`);
  }
  const tools = JSON.parse(fs.readFileSync(manifest, 'utf8')) as ToolPaths;
  for (const [name, file] of Object.entries(tools)) {
    if (name === 'kafkaVersion') continue;
    if (!fs.existsSync(file)) throw new Error(`${name} binary ${file} is missing; run 'bash scripts/tools.sh'`);
  }
  return tools;
}
