#!/usr/bin/env bash
# Quick start 2: every test. Installs Azurite (npm), restores and builds, starts Azurite, runs `dotnet test`
# on the solution, stops Azurite. The last line is the summary "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh

# The browser tests (the review pack, and the web console driven by PuppeteerSharp) use headless Chromium (Debian's
# 'chromium'). Install it when it is missing and apt can; if it cannot be had, those tests fail and say so (no skip).
if [[ ! -x /usr/bin/chromium && -z "${MONITOR_CHROMIUM:-}" ]] && command -v apt-get >/dev/null 2>&1; then
  apt-get install -s chromium >/dev/null 2>&1 || apt-get update -qq >/dev/null 2>&1
  if apt-get install -s chromium >/dev/null 2>&1; then
    echo "Installing chromium (apt-get) for the browser tests..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
      || echo "apt-get install chromium failed: the browser tests will fail" >&2
  else
    echo "chromium is not installable with apt-get here: the browser tests will fail" >&2
  fi
fi

if ! dotnet build Monitor.sln -c Release --nologo -v q; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
start_azurite || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

results=$(mktemp -d)
# A test that hangs fails after 10 minutes (far above the slowest test) instead of stalling CI; no dump is written.
dotnet test Monitor.sln -c Release --no-build --nologo --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
stop_azurite

# The summary line, summed from the TRX files; it fails the run when no test ran or a summary is missing.
python3 scripts/test-summary.py "$results" "$status"
