// The whole local world: etcd + kube-apiserver with our CRDs, a Temporal dev
// server and the fake Aiven; and, for proving credentials with real clients, a
// Kafka broker the main project's `kafka` service points at and a Redis that
// Valkey services can point at. Used by the test harness and by the sandbox.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RedisMirror, startFakeAiven, type RunningFakeAiven } from '../fake-aiven';
import { installCrds } from './crds';
import { KubeApiserverInfo, kubeConfigFor, startKubeApiserver } from './kube-apiserver';
import { startTemporalServer } from './temporal-server';
import { KafkaAllowListMirror, startKafkaBroker } from './kafka-broker';
import { findRedisServer, startRedis } from './redis';
import { findTools, type ToolPaths } from './tools';

export interface WorldInfo {
  dir: string;
  kube: KubeApiserverInfo;
  temporal: { address: string; namespace: string; uiUrl?: string };
  aiven: { url: string; token: string; mainProject: string; projects: string[] };
  /** The real Kafka broker; the main project's `kafka` service points at it. Absent when disabled. */
  kafka?: KafkaWorldInfo;
  /** The real Redis; Valkey services whose `valkey` component points at it are mirrored into it. */
  redis?: RedisWorldInfo;
  logFiles: string[];
}

export interface KafkaWorldInfo {
  /** The SSL listener, `host:port` (what KAFKA_BROKERS carries). */
  brokers: string;
  /** PLAINTEXT listener for the harness: no client certificate, full access. */
  internalBrokers: string;
  /** The fake Aiven project and service whose users the broker accepts. */
  project: string;
  service: string;
  version: string;
  /** The Kafka jars (kafka-clients and its dependencies included). */
  libsDir: string;
  logFile: string;
  startupMs: number;
}

export interface RedisWorldInfo {
  host: string;
  port: number;
  version: string;
  /** The `default` user's password (the mirror's admin connection); tests log in as mirrored users. */
  adminPassword: string;
  logFile: string;
  startupMs: number;
}

export interface WorldOptions {
  dir?: string;
  /** Temporal's SQLite file; in memory when absent. */
  temporalDbFile?: string;
  temporalUiPort?: number;
  aivenProjects?: string[];
  /** Start the Kafka broker; default: unless AIVENATOR_TEST_KAFKA=0. */
  kafka?: boolean;
  /** Start Redis; default: unless AIVENATOR_TEST_REDIS=0. */
  redis?: boolean;
}

export interface RunningWorld {
  info: WorldInfo;
  stop(): Promise<void>;
}

export async function startWorld(opts: WorldOptions = {}): Promise<RunningWorld> {
  const tools = findTools();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aivenator-world-'));
  fs.mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const projects = opts.aivenProjects ?? ['dev-nais-dev'];
    const token = crypto.randomBytes(24).toString('hex');
    const aivenStarted = startFakeAiven({ token, projects }).then((a) => { stops.push(a.close); return a; });
    // Started in parallel: the apiserver and the broker are the slow ones.
    const [kube, temporal, aiven, kafka, redis] = await Promise.all([
      startKubeApiserver(tools, dir).then((k) => { stops.push(k.stop); return k; }),
      startTemporalServer({ binary: tools.temporal, dir, dbFile: opts.temporalDbFile, uiPort: opts.temporalUiPort })
        .then((t) => { stops.push(t.stop); return t; }),
      aivenStarted,
      (opts.kafka ?? process.env.AIVENATOR_TEST_KAFKA !== '0')
        ? aivenStarted.then((a) => startWorldKafka(a, tools, dir, projects[0], stops))
        : undefined,
      (opts.redis ?? process.env.AIVENATOR_TEST_REDIS !== '0') ? startWorldRedis(aivenStarted, dir, stops) : undefined,
    ]);
    await installCrds(kubeConfigFor(kube.server, kube.adminToken));
    const info: WorldInfo = {
      dir,
      kube: { server: kube.server, adminToken: kube.adminToken, restrictedToken: kube.restrictedToken, restrictedUser: kube.restrictedUser },
      temporal: { address: temporal.address, namespace: temporal.namespace, uiUrl: temporal.uiUrl },
      aiven: { url: aiven.url, token, mainProject: projects[0], projects },
      kafka,
      redis,
      logFiles: [
        ...kube.processes.map((p) => p.logFile),
        temporal.process.logFile,
        ...(kafka ? [kafka.logFile] : []),
        ...(redis ? [redis.logFile] : []),
      ],
    };
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The broker gets a server certificate from the main project's CA and trusts
 * client certificates signed by it; the project's `kafka` service then reports
 * the broker's SSL listener, and the broker accepts exactly that service's users.
 */
async function startWorldKafka(
  aiven: RunningFakeAiven,
  tools: ToolPaths,
  dir: string,
  project: string,
  stops: (() => Promise<void>)[],
): Promise<KafkaWorldInfo> {
  if (!tools.kafkaLibs || !tools.kafkaPlugin) {
    throw new Error("the Kafka broker's jars are not in the tools cache: run 'bash scripts/tools.sh' (or set AIVENATOR_TEST_KAFKA=0)");
  }
  const started = Date.now();
  const service = 'kafka';
  const cert = await aiven.control.issueServerCertificate(project, ['127.0.0.1', 'localhost']);
  const broker = await startKafkaBroker({
    libsDir: tools.kafkaLibs,
    pluginDir: tools.kafkaPlugin,
    dir,
    serverCertificate: cert.certificate,
    serverPrivateKey: cert.privateKey,
    clientCa: cert.ca,
  });
  stops.push(broker.stop);
  await aiven.addMirror(new KafkaAllowListMirror(broker));
  const { components = [] } = await aiven.control.getService(project, service);
  await aiven.control.patchService(project, service, {
    components: components.map((c) => (c.component === 'kafka' ? { ...c, host: broker.host, port: broker.sslPort } : c)),
  });
  return {
    brokers: broker.brokers,
    internalBrokers: broker.internalBrokers,
    project,
    service,
    version: tools.kafkaVersion ?? '',
    libsDir: tools.kafkaLibs,
    logFile: broker.logFile,
    startupMs: Date.now() - started,
  };
}

async function startWorldRedis(
  aivenStarted: Promise<RunningFakeAiven>,
  dir: string,
  stops: (() => Promise<void>)[],
): Promise<RedisWorldInfo> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server is not installed: 'apt-get install -y redis-server' (or set AIVENATOR_TEST_REDIS=0)");
  const started = Date.now();
  const redis = await startRedis({ binary, dir });
  stops.push(redis.stop);
  const startupMs = Date.now() - started;
  const aiven = await aivenStarted;
  await aiven.addMirror(new RedisMirror({ host: redis.host, port: redis.port, adminPassword: redis.adminPassword }));
  return {
    host: redis.host,
    port: redis.port,
    version: redis.version,
    adminPassword: redis.adminPassword,
    logFile: redis.process.logFile,
    startupMs,
  };
}
