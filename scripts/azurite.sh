# Sourced by the scripts: installs the pinned Azurite from package.json and runs it as a local process on free
# ports with in-memory storage. Exports MonitorStorage; the EXIT trap stops Azurite again.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

ensure_node_modules() {
  if [[ ! -x "$REPO_ROOT/node_modules/.bin/azurite" ]]; then
    echo "Installing Azurite (npm ci)..."
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed" >&2; return 1; }
  fi
}

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}

# wait_listening PID PORT...: true once every port on 127.0.0.1 accepts connections; false if PID exits or 30 s pass.
wait_listening() {
  local pid=$1 port up; shift
  for _ in $(seq 150); do
    up=1
    for port in "$@"; do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { up=0; break; }; done
    [[ $up == 1 ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

start_azurite() {
  ensure_node_modules || return 1
  local bp qp tp
  bp=$(free_port); qp=$(free_port); tp=$(free_port)
  AZURITE_LOG=$(mktemp -t azurite.XXXXXX.log)
  "$REPO_ROOT/node_modules/.bin/azurite" --silent --inMemoryPersistence --skipApiVersionCheck --loose \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort "$bp" --queuePort "$qp" --tablePort "$tp" >"$AZURITE_LOG" 2>&1 &
  AZURITE_PID=$!
  trap stop_azurite EXIT
  local key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  export MonitorStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$bp/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$qp/devstoreaccount1;TableEndpoint=http://127.0.0.1:$tp/devstoreaccount1;"
  if wait_listening "$AZURITE_PID" "$tp" "$bp" "$qp"; then
    echo "Azurite is up (blob $bp, queue $qp, table $tp; pid $AZURITE_PID)."
    return 0
  fi
  echo "Azurite did not start; its log:" >&2
  cat "$AZURITE_LOG" >&2
  return 1
}

stop_azurite() {
  if [[ -n "${AZURITE_PID:-}" ]] && kill -0 "$AZURITE_PID" 2>/dev/null; then
    kill "$AZURITE_PID" 2>/dev/null
    wait "$AZURITE_PID" 2>/dev/null
    echo "Azurite stopped."
  fi
  AZURITE_PID=
}
