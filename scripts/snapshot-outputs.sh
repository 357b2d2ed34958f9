#!/usr/bin/env bash
# A before/after snapshot of what users see: pushes the samples as the demo does (--bench: a small feed from the
# benchmark generator), runs the pipeline once at a fixed instant and writes each output into OUTDIR: requests,
# explain, matches, audit, rejects, digest, the reporting API, the console's request pages and the review pack.
# Run timestamps, durations, ETags, temp paths and ports are normalised, so two runs of the same code give identical
# files and `diff -r BEFORE AFTER` shows only what a change changed. Starts and stops its own Azurite on free ports.
set -euo pipefail

usage() {
  echo "usage: scripts/snapshot-outputs.sh OUTDIR [--bench]   (OUTDIR must be empty or missing)" >&2
  exit 64
}
OUTDIR= BENCH=0
for arg in "$@"; do
  case $arg in
    --bench) BENCH=1 ;;
    -*) usage ;;
    *) [[ -z $OUTDIR ]] || usage; OUTDIR=$arg ;;
  esac
done
[[ -n $OUTDIR ]] || usage
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
if [[ -n $(ls -A "$OUTDIR") ]]; then
  echo "$OUTDIR is not empty: give a new folder, so that no stale file survives into a comparison" >&2
  exit 64
fi

cd "$(dirname "$0")/.."
source scripts/azurite.sh
AS_OF=2026-11-25T12:00:00Z
PERIOD=2026-H2   # the half-year that contains AS_OF
SAMPLE=20        # --bench: the per-request outputs of the first SAMPLE request IDs only
BENCH_GENERATE=(--size 600KiB --requests 50 --density 0.1 --seed 20261120)   # about 4,000 records, 400 of them match
export MONITOR_API_KEY=snapshot-key

WORK=$(mktemp -d -t snapshot.XXXXXX)
RAW=$WORK/raw
mkdir -p "$RAW"/{explain,matches,api/requests,console/requests,pack}
SERVE_PID=
stop_serve() {
  if [[ -n $SERVE_PID ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null || true
  fi
  SERVE_PID=
}
cleanup() { stop_serve; stop_azurite; rm -rf "$WORK"; }
trap cleanup EXIT
# capture FILE COMMAND...: its output into FILE, its stderr into FILE.stderr and a failing exit status into FILE.exit
# (each kept only when there is one), so that a command that starts failing shows in the comparison instead of ending it.
capture() {
  local file=$RAW/$1 status=0
  shift
  "$@" >"$file" 2>"$file.stderr" || status=$?
  [[ -s $file.stderr ]] || rm "$file.stderr"
  [[ $status == 0 ]] || echo "exit $status" >"$file.exit"
}

started=$SECONDS
./monitor --help >/dev/null   # restore + build once, before Azurite starts
if [[ $BENCH == 1 ]]; then
  dotnet run -c Release --project tests/Monitor.Benchmarks -- generate "${BENCH_GENERATE[@]}" --out "$WORK/bench/feed.csv"
fi
since=$(date -u +%s)   # every instant from here to the end of the run is the clock's, not the data's
start_azurite
trap cleanup EXIT      # start_azurite set its own EXIT trap

# The inputs' hashes: if the samples or the generator change, the comparison says so first.
if [[ $BENCH == 1 ]]; then
  (cd "$WORK/bench" && sha256sum feed.register.csv feed.csv) >"$RAW/inputs.sha256"
else
  find samples -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum >"$RAW/inputs.sha256"
fi

if [[ $BENCH == 1 ]]; then
  ./monitor push "$WORK/bench/feed.register.csv" --kind requests
  ./monitor push "$WORK/bench/feed.csv" --kind incidents --source bench
else
  scripts/push-samples.sh
fi

echo "== monitor run --once --as-of $AS_OF"
capture run-once.txt ./monitor run --once --as-of "$AS_OF"

capture requests.json ./monitor requests --format json
capture matches/all.json ./monitor matches --format json
capture rejects.json ./monitor rejects --format json
capture audit.txt ./monitor audit
capture digest.txt ./monitor digest --as-of "$AS_OF"
mapfile -t ids < <(python3 -c 'import json,sys; print("\n".join(sorted(r["requestId"] for r in json.load(sys.stdin))))' <"$RAW/requests.json")
if [[ $BENCH == 1 ]]; then
  ids=("${ids[@]:0:SAMPLE}")
fi
echo "== per request: ${#ids[@]} of them"
for id in "${ids[@]}"; do
  capture "explain/$id.txt" ./monitor explain "$id" --as-of "$AS_OF"
  capture "matches/$id.json" ./monitor matches --request "$id" --format json
done

echo "== monitor serve"
port=$(free_port)
./monitor serve --port "$port" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
if ! wait_listening "$SERVE_PID" "$port"; then
  echo "monitor serve did not start; its log:" >&2
  cat "$WORK/serve.log" >&2
  exit 1
fi
# get PATH FILE: the answer's body into FILE, and its status into api-status.txt (a 404 that became a 200 shows too).
get() {
  local status
  status=$(curl -sS -H "x-functions-key: $MONITOR_API_KEY" -o "$RAW/$2" -w '%{http_code}' "http://127.0.0.1:$port$1")
  echo "$status $1" >>"$RAW/api-status.txt"
}
get /api/requests api/requests.json
get /api/alerts?from=2026-01-01\&to=2026-12-31 api/alerts.json
get /api/board api/board.json
get /api/feeds?limit=1000 api/feeds.json
get /api/pulls api/pulls.json
get "/api/reports/$PERIOD?asOf=$AS_OF" "api/report-$PERIOD.json"
get "/api/reports/$PERIOD?asOf=$AS_OF&format=html&lang=both" "api/report-$PERIOD.html"
for id in "${ids[@]}"; do
  get "/api/requests/$id?asOf=$AS_OF" "api/requests/$id.json"
  get "/requests/$id?asOf=$AS_OF" "console/requests/$id.html"
done
stop_serve

echo "== monitor report $PERIOD"
capture report.txt ./monitor report "$PERIOD" --out "$RAW/pack" --lang both --as-of "$AS_OF"
until=$(date -u +%s)

python3 scripts/snapshot-normalise.py "$RAW" "$OUTDIR" --clock "$since" "$until" \
  --replace "$WORK=<work>" --replace "$PWD=<repo>"
echo "Snapshot in $OUTDIR ($(find "$OUTDIR" -type f | wc -l) files, $((SECONDS - started)) s)."
