#!/usr/bin/env bash
# Records test/replay/histories/*.json again from real runs (test/replay/refresh.test.ts).
# Only together with a workflow change made safe with patched() / versioning,
# never to make a failing replay pass: see test/replay/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/tools.sh >&2
AIVENATOR_REFRESH_REPLAY=1 npx jest --runInBand test/replay/refresh "$@"
# What the recorded histories look like now, replayed against the same code.
npx jest --runInBand test/replay/replay
