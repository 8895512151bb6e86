#!/usr/bin/env bash
# Cleanup at scale: a cleanup policy's dry run and run over N tags (default 200,000) in 20 repositories, on embedded
# defaults (SQLite + filesystem, Release). See bench/README.md, "Cleanup at scale".
# Usage: bench/cleanup.sh [--tags N] [--berth-dll PATH]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BERTH_DLL=""
TAGS=200000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --berth-dll) BERTH_DLL=${2:?--berth-dll needs a path}; shift 2 ;;
    --tags) TAGS=${2:?--tags needs a number}; shift 2 ;;
    -h|--help) sed -n 2,4p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

NAME=cleanup
EXTRA_ENV=(Logging__LogLevel__Berth.Registry.Retention=Information)
# shellcheck source=embedded-berth.sh
source "$BENCH_DIR/embedded-berth.sh"

REGISTRY=$(timeout 300 python3 "$BENCH_DIR/cleanup.py" prepare "http://127.0.0.1:$PORT" "$ADMIN_PW")
log "registry $REGISTRY prepared; stopping Berth to seed its database"
kill "$BERTH_PID" && wait "$BERTH_PID" 2>/dev/null || true
BERTH_PID=""
timeout 600 python3 "$BENCH_DIR/cleanup.py" seed "$WORK/data" "$REGISTRY" "$TAGS"

# Started again as embedded-berth.sh starts it, on the seeded data: nothing of the seed is in the server's caches.
mv "$WORK/berth.log" "$WORK/berth-prepare.log"
env Berth__DataDir="$WORK/data" Berth__Admin__Password="$ADMIN_PW" Berth__Metrics__Token="$METRICS_TOKEN" \
  Logging__LogLevel__Default=Warning "${EXTRA_ENV[@]}" \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$BERTH_DLL" serve --urls "http://127.0.0.1:$PORT" >"$WORK/berth.log" 2>&1 &
BERTH_PID=$!
for _ in $(seq 1 150); do
  curl -sS "http://127.0.0.1:$PORT/v2/" -o /dev/null 2>/dev/null && break
  sleep 0.2
done
curl -sS "http://127.0.0.1:$PORT/v2/" -o /dev/null || { cat "$WORK/berth.log" >&2; exit 1; }
log "Berth restarted (pid $BERTH_PID); dry run and run"

timeout 1800 python3 "$BENCH_DIR/cleanup.py" measure "http://127.0.0.1:$PORT" "$ADMIN_PW" "$BERTH_PID" "$REGISTRY" "$TAGS"
