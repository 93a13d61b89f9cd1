#!/usr/bin/env bash
# Builds the real servers the tests run against (Temporal dev server, etcd,
# kube-apiserver), helm and a PromQL checker from their Go modules, fetches the
# prometheus-operator CRDs (ServiceMonitor, PrometheusRule) from its Go module
# and Apache Kafka's jars from Maven Central, caching them by version outside
# the checkout. Builds only what is missing. Prints the directory of each tool.
set -euo pipefail

TEMPORAL_VERSION=1.5.1
ETCD_VERSION=3.6.16
KUBE_VERSION=1.34.4
# Apache Kafka (broker and Java client jars, org.apache.kafka:kafka_2.13 and its
# runtime dependencies). 3.9 is the last line that still speaks every protocol
# version older clients (kafkajs) use; 4.0 removed several.
KAFKA_VERSION=3.9.2
# The chart's tests: helm lint/template, and the monitoring CRDs its
# ServiceMonitor and PrometheusRule need in the test apiserver.
HELM_VERSION=3.22.0
PROMETHEUS_OPERATOR_VERSION=0.85.0
# Prometheus's PromQL parser (test/tools/promql), to check the alerts' and the
# dashboard's expressions; the version is in test/tools/promql/go.mod.

repo=$(cd "$(dirname "$0")/.." && pwd)
tools_dir=${AIVENATOR_TOOLS_DIR:-$HOME/.cache/aivenator/tools}
mkdir -p "$tools_dir"

command -v go >/dev/null || { echo "tools.sh: Go (1.24+) is needed to build the test servers" >&2; exit 1; }

# build NAME DIR FILE COMMAND...: runs COMMAND unless DIR/FILE exists.
build() {
  local name=$1 dir=$2 binary=$3; shift 3
  if [ -e "$dir/$binary" ]; then
    echo "tools: $name cached in $dir"
    return
  fi
  echo "tools: building $name into $dir ..."
  local start=$SECONDS tmp="$dir.partial"
  rm -rf "$tmp" && mkdir -p "$tmp"
  OUT="$tmp" "$@"
  rm -rf "$dir" && mv "$tmp" "$dir"
  echo "tools: built $name in $((SECONDS - start))s, $(du -sh "$dir" | cut -f1)"
}

build_temporal() {
  GOBIN="$OUT" CGO_ENABLED=0 go install \
    -ldflags "-X github.com/temporalio/cli/temporalcli.Version=$TEMPORAL_VERSION" \
    "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_VERSION"
}

build_etcd() {
  (cd "$repo/test/tools/etcd" && CGO_ENABLED=0 go build -o "$OUT/etcd" .)
}

build_kube_apiserver() {
  local v="k8s.io/component-base/version"
  (cd "$repo/test/tools/kube-apiserver" && CGO_ENABLED=0 go build \
    -ldflags "-X $v.gitVersion=v$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)" \
    -o "$OUT/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
}

# helm's default Kubernetes version (for `helm template` and `helm lint`) is the
# apiserver's the tests run, as helm's Makefile sets it from client-go's.
build_helm() {
  local minor pkg=helm.sh/helm/v3/pkg
  minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
  GOBIN="$OUT" CGO_ENABLED=0 go install \
    -ldflags "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION \
      -X $pkg/chartutil.k8sVersionMajor=1 -X $pkg/chartutil.k8sVersionMinor=$minor \
      -X $pkg/lint/rules.k8sVersionMajor=1 -X $pkg/lint/rules.k8sVersionMinor=$minor" \
    "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
}

# The CRDs as the prometheus-operator module ships them (example/prometheus-operator-crd).
fetch_monitoring_crds() {
  local src
  src=$(cd "$OUT" && go mod download -json "github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] || { echo "tools.sh: go mod download gave no directory for prometheus-operator" >&2; return 1; }
  for kind in servicemonitors prometheusrules; do
    cp "$src/example/prometheus-operator-crd/monitoring.coreos.com_$kind.yaml" "$OUT/"
  done
  chmod 644 "$OUT"/*.yaml
}

build_promql() {
  (cd "$repo/test/tools/promql" && CGO_ENABLED=0 go build -o "$OUT/promql" .)
}

# Kafka from Maven Central only: the jars test/tools/kafka/pom.xml lists, copied
# by Maven (its local repository, ~/.m2, keeps the downloads).
build_kafka() {
  # (Maven 3.8 prints colour resets even in batch mode; sed drops them.)
  mvn -q -B -f "$repo/test/tools/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$OUT/libs" 2>&1 \
    | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d'
}

# The broker's allow-list principal builder, compiled against those jars.
build_kafka_plugin() {
  javac -nowarn -d "$OUT" -cp "$kafka_dir/libs/*" $kafka_plugin_sources
}

build "temporal $TEMPORAL_VERSION" "$tools_dir/temporal-$TEMPORAL_VERSION" temporal build_temporal
build "etcd $ETCD_VERSION" "$tools_dir/etcd-$ETCD_VERSION" etcd build_etcd
build "kube-apiserver $KUBE_VERSION" "$tools_dir/kube-apiserver-$KUBE_VERSION" kube-apiserver build_kube_apiserver
build "helm $HELM_VERSION" "$tools_dir/helm-$HELM_VERSION-kube-$KUBE_VERSION" helm build_helm
build "monitoring CRDs $PROMETHEUS_OPERATOR_VERSION" "$tools_dir/monitoring-crds-$PROMETHEUS_OPERATOR_VERSION" monitoring.coreos.com_prometheusrules.yaml fetch_monitoring_crds
# Keyed by its sources, so a changed parser version or program is built again.
promql_dir="$tools_dir/promql-$(cat "$repo"/test/tools/promql/{go.mod,go.sum,main.go} | sha256sum | cut -c1-12)"
build "promql parser" "$promql_dir" promql build_promql

# The Kafka broker (AIVENATOR_TEST_KAFKA=0 skips it, and the tests that need it).
kafka_json=""
if [ "${AIVENATOR_TEST_KAFKA:-1}" != "0" ]; then
  for cmd in java javac mvn; do
    command -v $cmd >/dev/null || { echo "tools.sh: $cmd (Java 17+, Maven) is needed for the Kafka broker; AIVENATOR_TEST_KAFKA=0 skips it" >&2; exit 1; }
  done
  # Keyed by version and by the pom, so a changed dependency list is fetched again.
  kafka_dir="$tools_dir/kafka-$KAFKA_VERSION-$(sha256sum "$repo/test/tools/kafka/pom.xml" | cut -c1-8)"
  kafka_plugin_sources=$(find "$repo/test/tools/kafka/src" -name '*.java' | sort)
  kafka_plugin_hash=$(cat $kafka_plugin_sources | sha256sum | cut -c1-12)
  kafka_plugin_dir="$tools_dir/kafka-plugin-$KAFKA_VERSION-$kafka_plugin_hash"
  build "kafka $KAFKA_VERSION" "$kafka_dir" "libs/kafka_2.13-$KAFKA_VERSION.jar" build_kafka
  build "kafka allow-list plugin" "$kafka_plugin_dir" aivenator/testkafka/AllowListPrincipalBuilder.class build_kafka_plugin
  kafka_json=",
  \"kafkaVersion\": \"$KAFKA_VERSION\",
  \"kafkaLibs\": \"$kafka_dir/libs\",
  \"kafkaPlugin\": \"$kafka_plugin_dir\""
fi

# Redis comes from Debian (.ci/run installs it); the harness finds it on PATH.
if [ "${AIVENATOR_TEST_REDIS:-1}" != "0" ] && ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then
  echo "tools: redis-server is missing: install it with 'apt-get install -y redis-server' (or set AIVENATOR_TEST_REDIS=0)" >&2
fi

# The harness reads this file to find the binaries.
cat > "$tools_dir/versions.json" <<JSON
{
  "temporal": "$tools_dir/temporal-$TEMPORAL_VERSION/temporal",
  "etcd": "$tools_dir/etcd-$ETCD_VERSION/etcd",
  "kubeApiserver": "$tools_dir/kube-apiserver-$KUBE_VERSION/kube-apiserver",
  "helm": "$tools_dir/helm-$HELM_VERSION-kube-$KUBE_VERSION/helm",
  "monitoringCrds": "$tools_dir/monitoring-crds-$PROMETHEUS_OPERATOR_VERSION",
  "promql": "$promql_dir/promql"$kafka_json
}
JSON
echo "tools: ready in $tools_dir"
