#!/usr/bin/env bash
# Builds the real servers the tests run against (Temporal dev server, etcd,
# kube-apiserver) from their Go modules and caches them by version outside the
# checkout. Builds only what is missing. Prints the directory of each tool.
set -euo pipefail

TEMPORAL_VERSION=1.5.1
ETCD_VERSION=3.6.16
KUBE_VERSION=1.34.4

repo=$(cd "$(dirname "$0")/.." && pwd)
tools_dir=${AIVENATOR_TOOLS_DIR:-$HOME/.cache/aivenator/tools}
mkdir -p "$tools_dir"

command -v go >/dev/null || { echo "tools.sh: Go (1.24+) is needed to build the test servers" >&2; exit 1; }

# build NAME DIR BINARY COMMAND...: runs COMMAND unless DIR/BINARY exists.
build() {
  local name=$1 dir=$2 binary=$3; shift 3
  if [ -x "$dir/$binary" ]; then
    echo "tools: $name cached in $dir"
    return
  fi
  echo "tools: building $name into $dir ..."
  local start=$SECONDS tmp="$dir.partial"
  rm -rf "$tmp" && mkdir -p "$tmp"
  OUT="$tmp" "$@"
  rm -rf "$dir" && mv "$tmp" "$dir"
  echo "tools: built $name in $((SECONDS - start))s, $(du -sh "$dir/$binary" | cut -f1)"
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

build "temporal $TEMPORAL_VERSION" "$tools_dir/temporal-$TEMPORAL_VERSION" temporal build_temporal
build "etcd $ETCD_VERSION" "$tools_dir/etcd-$ETCD_VERSION" etcd build_etcd
build "kube-apiserver $KUBE_VERSION" "$tools_dir/kube-apiserver-$KUBE_VERSION" kube-apiserver build_kube_apiserver

# The harness reads this file to find the binaries.
cat > "$tools_dir/versions.json" <<JSON
{
  "temporal": "$tools_dir/temporal-$TEMPORAL_VERSION/temporal",
  "etcd": "$tools_dir/etcd-$ETCD_VERSION/etcd",
  "kubeApiserver": "$tools_dir/kube-apiserver-$KUBE_VERSION/kube-apiserver"
}
JSON
echo "tools: ready in $tools_dir"
