#!/usr/bin/env bash
# Pushes samples/ to the drop zone of the storage named by MonitorStorage: the register, then each source's feeds
# (incidents/<source>/...). Used by scripts/demo.sh and scripts/snapshot-outputs.sh, so both see the same data.
set -euo pipefail
cd "$(dirname "$0")/.."
./monitor push samples/requests/register-2026-11.csv --kind requests
for dir in samples/incidents/*/; do
  source=$(basename "$dir")
  for file in "$dir"*; do
    ./monitor push "$file" --kind incidents --source "$source"
  done
done
