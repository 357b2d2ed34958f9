#!/usr/bin/env bash
# The benchmark (README "Benchmarks"). Installs what it needs on a fresh clone, like the quick-start scripts: the
# pinned Azurite (`npm ci`, unless MonitorStorage names a storage to use) and the Release build (`dotnet run`).
# Every argument goes to the harness: --quick, --help, generate ..., ingest ...
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh
if [[ -z "${MonitorStorage:-}" ]]; then
  ensure_node_modules
fi
exec dotnet run -c Release --project tests/Monitor.Benchmarks -- "$@"
