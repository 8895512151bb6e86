#!/usr/bin/env bash
# Big delete: one tenant deletes a repository of N tags (default 200,000) while another pushes, pulls and creates
# projects. Embedded defaults (SQLite + filesystem). See bench/README.md, "Big delete".
# Usage: bench/bigdelete.sh [--tags N] [--clients N] [--berth-dll PATH]   (--clients 0: the purge alone)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BERTH_DLL=""
TAGS=200000
CLIENTS=4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --berth-dll) BERTH_DLL=${2:?--berth-dll needs a path}; shift 2 ;;
    --tags) TAGS=${2:?--tags needs a number}; shift 2 ;;
    --clients) CLIENTS=${2:?--clients needs a number}; shift 2 ;;
    -h|--help) sed -n 2,4p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

log() { printf '[bigdelete %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ -z "$BERTH_DLL" ]]; then
  RID=$(dotnet --info | awk '/^ *RID:/ {print $2; exit}')
  log "publishing Berth (Release, $RID, ReadyToRun)"
  (cd "$REPO_ROOT" && timeout 600 dotnet publish src/Berth.Cli -c Release -r "$RID" -o "$BENCH_DIR/out/berth" -nologo -v q) >&2
  BERTH_DLL="$BENCH_DIR/out/berth/berth.dll"
fi

WORK=$(mktemp -d /tmp/berth-bigdelete.XXXXXX)
BERTH_PID=""
cleanup() {
  [[ -n "$BERTH_PID" ]] && kill "$BERTH_PID" 2>/dev/null && wait "$BERTH_PID" 2>/dev/null || true
  mkdir -p "$BENCH_DIR/out" && cp "$WORK/berth.log" "$BENCH_DIR/out/bigdelete-berth.log" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
ADMIN_PW="bench-$(openssl rand -hex 8)"
METRICS_TOKEN="bench-metrics-$(openssl rand -hex 12)"
log "starting Berth on 127.0.0.1:$PORT (data in $WORK)"
# env: some of these names contain dots, which a shell assignment does not allow.
env Berth__DataDir="$WORK/data" Berth__Admin__Password="$ADMIN_PW" Berth__Metrics__Token="$METRICS_TOKEN" \
  Logging__LogLevel__Default=Warning Logging__LogLevel__Berth.Registry.Management.RegistryPurger=Information \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$BERTH_DLL" serve --urls "http://127.0.0.1:$PORT" >"$WORK/berth.log" 2>&1 &
BERTH_PID=$!
for _ in $(seq 1 100); do
  curl -sS "http://127.0.0.1:$PORT/v2/" -o /dev/null 2>/dev/null && break
  sleep 0.2
done
curl -sS "http://127.0.0.1:$PORT/v2/" -o /dev/null || { cat "$WORK/berth.log" >&2; exit 1; }

timeout 1800 python3 "$BENCH_DIR/bigdelete.py" "http://127.0.0.1:$PORT" "$ADMIN_PW" "$WORK/data" "$BERTH_PID" "$TAGS" "$METRICS_TOKEN" "$CLIENTS"
grep -h "Purged" "$WORK/berth.log" >&2 || true
