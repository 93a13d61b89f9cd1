// Seed helpers: default components per service type and a typical NAIS world.

import type { ServiceComponent, ServiceType } from '../aiven/types';
import type { FakeProjectSpec, FakeServiceSpec } from './types';

/** Default ports, in the range Aiven uses for its public endpoints. */
export const DEFAULT_PORTS: Record<string, number> = {
  kafka: 26484,
  kafka_sasl: 26494,
  schema_registry: 26487,
  opensearch: 26482,
  opensearch_dashboards: 443,
  valkey: 26483,
  valkey_replica: 26483,
};

export function defaultHost(project: string, service: string): string {
  return `${service}-${project}.aivencloud.com`;
}

function component(
  name: string,
  host: string,
  port: number,
  usage: 'primary' | 'replica',
  extra: Partial<ServiceComponent> = {},
): ServiceComponent {
  return { component: name, host, port, route: 'dynamic', usage, ssl: true, ...extra };
}

export interface ComponentOptions {
  host?: string;
  /** Port overrides keyed by component name; `valkey_replica` for the replica. */
  ports?: Record<string, number>;
  /** Valkey: add a replica component. */
  replica?: boolean;
}

/**
 * Components as Aiven lists them for each service type. Kafka has SASL enabled
 * beside client certificates, so there are two kafka/primary entries (a port
 * each); the certificate listener comes first, as Aiven lists it.
 */
export function defaultComponents(
  type: ServiceType,
  project: string,
  service: string,
  opts: ComponentOptions = {},
): ServiceComponent[] {
  const host = opts.host ?? defaultHost(project, service);
  const port = (name: string): number => opts.ports?.[name] ?? DEFAULT_PORTS[name];
  switch (type) {
    case 'kafka':
      return [
        component('kafka', host, port('kafka'), 'primary', {
          kafka_authentication_method: 'certificate',
          kafka_ssl_ca: 'project_ca',
        }),
        component('kafka', host, port('kafka_sasl'), 'primary', {
          kafka_authentication_method: 'sasl',
          kafka_ssl_ca: 'project_ca',
        }),
        component('schema_registry', host, port('schema_registry'), 'primary'),
      ];
    case 'opensearch':
      return [
        component('opensearch', host, port('opensearch'), 'primary'),
        component('opensearch_dashboards', host, port('opensearch_dashboards'), 'primary'),
      ];
    case 'valkey': {
      const list = [component('valkey', host, port('valkey'), 'primary')];
      if (opts.replica) list.push(component('valkey', `replica-${host}`, port('valkey_replica'), 'replica'));
      return list;
    }
  }
}

export interface DefaultWorldOptions {
  /** Project names (Kafka pools); the first is the main project. Default ["dev-nais-dev"]. */
  projects?: string[];
  /** Kafka service name per project: "kafka" (default) or e.g. `${project}-kafka`. */
  kafkaServiceName?: (project: string) => string;
  /** Overrides for the Kafka components (e.g. point them at a real broker). */
  kafka?: ComponentOptions;
  /** OpenSearch services `opensearch-<namespace>-<instance>` in the main project. */
  opensearch?: { namespace: string; instance: string }[];
  /** Valkey services `valkey-<namespace>-<instance>` in the main project. */
  valkey?: { namespace: string; instance: string; replica?: boolean }[];
}

export function openSearchServiceName(namespace: string, instance: string): string {
  return `opensearch-${namespace}-${instance}`;
}

export function valkeyServiceName(namespace: string, instance: string): string {
  return `valkey-${namespace}-${instance}`;
}

/** A typical world: every project gets a Kafka service; the main one also the given OpenSearch/Valkey services. */
export function defaultWorld(opts: DefaultWorldOptions = {}): FakeProjectSpec[] {
  const projects = opts.projects ?? ['dev-nais-dev'];
  const kafkaName = opts.kafkaServiceName ?? ((): string => 'kafka');
  return projects.map((project, i) => {
    const services: FakeServiceSpec[] = [{ name: kafkaName(project), type: 'kafka', ...opts.kafka }];
    if (i === 0) {
      for (const o of opts.opensearch ?? []) {
        services.push({ name: openSearchServiceName(o.namespace, o.instance), type: 'opensearch' });
      }
      for (const v of opts.valkey ?? []) {
        services.push({ name: valkeyServiceName(v.namespace, v.instance), type: 'valkey', replica: v.replica });
      }
    }
    return { name: project, services };
  });
}
