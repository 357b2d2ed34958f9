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
  echo "0 passed, 1 failed"
  exit 1
fi
start_azurite || { echo "0 passed, 1 failed"; exit 1; }

results=$(mktemp -d)
dotnet test Monitor.sln -c Release --no-build --nologo --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
stop_azurite

# Sum the outcomes of every test run from the TRX files (one per test project).
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(f"{sys.argv[1]}/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find(".//{*}ResultSummary/{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    # Skipped tests are counted in total but not in executed (notExecuted stays 0 for xunit skips).
    s += max(int(c.get("total", 0)) - int(c.get("executed", 0)), int(c.get("notExecuted", 0))) + int(c.get("inconclusive", 0))
print(p, f, s)
PY
)
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi   # the run itself failed (crash, build error)
echo "$passed passed, $failed failed, $skipped skipped"
[[ $status -eq 0 ]]
