#!/usr/bin/env bash
# Step 2 of the setup-drmock action: starts `drmock serve` in the background (an in-memory catalog,
# DRMOCK_PORT, then DRMOCK_ARGS), waits for its ready file (written once the server answers, so there
# is no port polling) and exports DRMOCK_URL, DRMOCK_READY_FILE and DRMOCK_PID. The runner ends the
# process with the job. drmock's own output goes to $RUNNER_TEMP/drmock.log.
set -euo pipefail
: "${RUNNER_TEMP:?}" "${GITHUB_ENV:?}" "${GITHUB_OUTPUT:?}"
drmock="$RUNNER_TEMP/drmock-venv/bin/drmock"
[ -x "$drmock" ] || drmock=drmock
ready="$RUNNER_TEMP/drmock-ready.json"
log="$RUNNER_TEMP/drmock.log"
rm -f "$ready"
# shellcheck disable=SC2086 # DRMOCK_ARGS is a list of options
nohup "$drmock" serve --port "${DRMOCK_PORT:-0}" --db :memory: --ready-file "$ready" ${DRMOCK_ARGS:-} >"$log" 2>&1 &
pid=$!
deadline=$((SECONDS + ${DRMOCK_TIMEOUT:-30}))
until [ -s "$ready" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "::error::setup-drmock: drmock exited before it was ready:" >&2; cat "$log" >&2; exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "::error::setup-drmock: drmock was not ready after ${DRMOCK_TIMEOUT:-30} s" >&2; cat "$log" >&2
    kill "$pid" 2>/dev/null || true; exit 1
  fi
  sleep 0.1
done
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$ready")
{ echo "DRMOCK_URL=$url"; echo "DRMOCK_READY_FILE=$ready"; echo "DRMOCK_PID=$pid"; } >> "$GITHUB_ENV"
{ echo "url=$url"; echo "pid=$pid"; echo "ready-file=$ready"; } >> "$GITHUB_OUTPUT"
echo "drmock $pid serves $url (log: $log)"
