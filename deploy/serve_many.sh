#!/usr/bin/env bash
# Several Streamlit processes of Gradient lab behind Debian's nginx, sticky per browser.
#
#   deploy/serve_many.sh [PROCS] [PORT]      (or: make serve-many PROCS=2 PORT=8500)
#
# Starts PROCS Streamlit processes on 127.0.0.1:PORT+1 ... PORT+PROCS and nginx on
# 127.0.0.1:PORT in front of them (deploy/nginx.conf.template), all logging into RUN_DIR (a new
# temporary directory unless given). Runs in the foreground; Ctrl-C or TERM stops everything.
# Environment: RUN_DIR, PYTHON (default .venv/bin/python), NGINX (default /usr/sbin/nginx);
# GRADLAB_TIMING_LOG and GRADLAB_WORKERS pass through to every process.
set -euo pipefail

PROCS=${1:-${PROCS:-2}}
PORT=${2:-${PORT:-8500}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
NGINX=${NGINX:-/usr/sbin/nginx}
RUN_DIR=${RUN_DIR:-$(mktemp -d /tmp/gradlab-serve-many.XXXXXX)}
mkdir -p "$RUN_DIR/tmp"
: > "$RUN_DIR/pids"

pids=()
stop_all() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# One cookie secret for all processes: a cookie one of them signs is valid for the others.
export STREAMLIT_SERVER_COOKIE_SECRET=${STREAMLIT_SERVER_COOKIE_SECRET:-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}
servers=""
cd "$ROOT"
for i in $(seq 1 "$PROCS"); do
  port=$((PORT + i))
  "$PY" -m streamlit run app.py \
    --server.headless true --server.address 127.0.0.1 --server.port "$port" \
    --server.fileWatcherType none --browser.gatherUsageStats false \
    >"$RUN_DIR/streamlit-$port.log" 2>&1 &
  pids+=("$!")
  echo "$!" >>"$RUN_DIR/pids"
  servers+="        server 127.0.0.1:$port;"$'\n'
done

# Render the template: @PORT@, @RUN_DIR@, @SERVERS@ (nginx's own $variables stay as they are).
PORT="$PORT" RUN_DIR="$RUN_DIR" SERVERS="$servers" "$PY" - "$ROOT/deploy/nginx.conf.template" \
  >"$RUN_DIR/nginx.conf" <<'PYEOF'
import os, sys
text = open(sys.argv[1]).read()
for name in ("PORT", "RUN_DIR", "SERVERS"):
    text = text.replace(f"@{name}@", os.environ[name].rstrip("\n"))
sys.stdout.write(text)
PYEOF

for i in $(seq 1 "$PROCS"); do
  port=$((PORT + i))
  for _ in $(seq 1 600); do
    if "$PY" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" 2>/dev/null; then
      break
    fi
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { echo "process on :$port died, see $RUN_DIR" >&2; exit 1; }
    sleep 0.5
  done
done

"$NGINX" -t -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/error.log"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/error.log" -g "daemon off;" &
pids+=("$!")
echo "Gradient lab on http://127.0.0.1:$PORT: $PROCS processes behind nginx (logs: $RUN_DIR)"
wait -n "${pids[@]}"
echo "a process of the group ended; stopping the others (logs: $RUN_DIR)" >&2
exit 1
