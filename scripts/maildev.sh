# Sourced by the scripts after azurite.sh (it uses free_port and wait_listening): runs the pinned MailDev (package.json) as a local SMTP server with a REST
# API, on free ports. Exports MONITOR_MAILDEV_SMTP_PORT and MONITOR_MAILDEV_WEB_PORT for the e-mail tests;
# stop_maildev stops it (scripts/test.sh calls it, and the EXIT trap does too).
REPO_ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

start_maildev() {
  if [[ ! -x "$REPO_ROOT/node_modules/.bin/maildev" ]]; then
    echo "Installing MailDev (npm ci)..."
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed" >&2; return 1; }
  fi
  local sp wp
  sp=$(free_port); wp=$(free_port)
  MAILDEV_DIR=$(mktemp -d -t maildev.XXXXXX)
  MAILDEV_LOG="$MAILDEV_DIR.log"
  "$REPO_ROOT/node_modules/.bin/maildev" --ip 127.0.0.1 --smtp "$sp" --web "$wp" --mail-directory "$MAILDEV_DIR" >"$MAILDEV_LOG" 2>&1 &
  MAILDEV_PID=$!
  trap 'stop_maildev; stop_azurite' EXIT
  if wait_listening "$MAILDEV_PID" "$sp" "$wp"; then
    export MONITOR_MAILDEV_SMTP_PORT=$sp MONITOR_MAILDEV_WEB_PORT=$wp
    echo "MailDev is up (smtp $sp, web $wp; pid $MAILDEV_PID)."
    return 0
  fi
  echo "MailDev did not start; its log:" >&2
  cat "$MAILDEV_LOG" >&2
  return 1
}

stop_maildev() {
  if [[ -n "${MAILDEV_PID:-}" ]] && kill -0 "$MAILDEV_PID" 2>/dev/null; then
    kill "$MAILDEV_PID" 2>/dev/null
    wait "$MAILDEV_PID" 2>/dev/null
    echo "MailDev stopped."
  fi
  MAILDEV_PID=
  [[ -n "${MAILDEV_DIR:-}" ]] && rm -rf "$MAILDEV_DIR" "$MAILDEV_LOG"
  MAILDEV_DIR=
}
