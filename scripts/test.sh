#!/usr/bin/env bash
# Quick start 2: every test. Installs Azurite and MailDev (npm), restores and builds, starts both, runs `dotnet test`
# on the solution, stops them. The last line is the summary "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh
source scripts/maildev.sh

# The review-pack browser tests render the HTML and print the PDF in headless Chromium (Debian's 'chromium'), read the
# PDF with poppler-utils (pdftoppm, pdftotext) and need a CJK font for the Chinese pack (fonts-wqy-microhei). Install
# what is missing when apt can; if it cannot be had, those tests fail and say so (they do not skip).
missing=()
[[ -x /usr/bin/chromium || -n "${MONITOR_CHROMIUM:-}" ]] || missing+=(chromium)
[[ -x /usr/bin/pdftoppm && -x /usr/bin/pdftotext ]] || missing+=(poppler-utils)
command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q . || missing+=(fonts-wqy-microhei)
if (( ${#missing[@]} > 0 )) && command -v apt-get >/dev/null 2>&1; then
  apt-get install -s "${missing[@]}" >/dev/null 2>&1 || apt-get update -qq >/dev/null 2>&1
  if apt-get install -s "${missing[@]}" >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (apt-get) for the review-pack browser tests..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
      || echo "apt-get install ${missing[*]} failed: the review-pack browser tests will fail" >&2
  else
    echo "${missing[*]} not installable with apt-get here: the review-pack browser tests will fail" >&2
  fi
fi

if ! dotnet build Monitor.sln -c Release --nologo -v q; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
start_azurite || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
start_maildev || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

results=$(mktemp -d)
# A test that hangs fails after 10 minutes (far above the slowest test) instead of stalling CI; no dump is written.
dotnet test Monitor.sln -c Release --no-build --nologo --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
stop_maildev
stop_azurite

# The summary line, summed from the TRX files; it fails the run when no test ran or a summary is missing.
python3 scripts/test-summary.py "$results" "$status"
