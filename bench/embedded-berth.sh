# Sourced by bench scripts that measure one Berth on embedded defaults (SQLite + filesystem): publishes src/Berth.Cli
# (Release, ReadyToRun, as deploy/ does) unless BERTH_DLL is set, then starts `berth serve` on a free 127.0.0.1 port
# with a temp data dir, and stops it and deletes the data on exit (its log kept as bench/out/$NAME-berth.log).
# In: NAME (log prefix), BENCH_DIR, REPO_ROOT, BERTH_DLL (may be empty), EXTRA_ENV (array of VAR=value).
# Out: WORK (temp dir; data in $WORK/data), PORT, ADMIN_PW, METRICS_TOKEN, BERTH_PID; function log.

log() { printf '[%s %s] %s\n' "$NAME" "$(date +%H:%M:%S)" "$*" >&2; }

if [[ -z "$BERTH_DLL" ]]; then
  RID=$(dotnet --info | awk '/^ *RID:/ {print $2; exit}')
  log "publishing Berth (Release, $RID, ReadyToRun)"
  (cd "$REPO_ROOT" && timeout 600 dotnet publish src/Berth.Cli -c Release -r "$RID" -o "$BENCH_DIR/out/berth" -nologo -v q) >&2
  BERTH_DLL="$BENCH_DIR/out/berth/berth.dll"
fi

WORK=$(mktemp -d "/tmp/berth-$NAME.XXXXXX")
BERTH_PID=""
cleanup() {
  [[ -n "$BERTH_PID" ]] && kill "$BERTH_PID" 2>/dev/null && wait "$BERTH_PID" 2>/dev/null || true
  mkdir -p "$BENCH_DIR/out" && cp "$WORK/berth.log" "$BENCH_DIR/out/$NAME-berth.log" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
ADMIN_PW="bench-$(openssl rand -hex 8)"
METRICS_TOKEN="bench-metrics-$(openssl rand -hex 12)"
log "starting Berth on 127.0.0.1:$PORT (data in $WORK)"
# env: some of these names contain dots, which a shell assignment does not allow.
env Berth__DataDir="$WORK/data" Berth__Admin__Password="$ADMIN_PW" Berth__Metrics__Token="$METRICS_TOKEN" \
  Logging__LogLevel__Default=Warning "${EXTRA_ENV[@]}" \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$BERTH_DLL" serve --urls "http://127.0.0.1:$PORT" >"$WORK/berth.log" 2>&1 &
BERTH_PID=$!
for _ in $(seq 1 100); do
  curl -sS "http://127.0.0.1:$PORT/v2/" -o /dev/null 2>/dev/null && break
  sleep 0.2
done
curl -sS "http://127.0.0.1:$PORT/v2/" -o /dev/null || { cat "$WORK/berth.log" >&2; exit 1; }
