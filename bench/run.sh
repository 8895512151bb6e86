#!/usr/bin/env bash
# Berth vs CNCF Distribution, side by side on loopback. See bench/README.md.
# Usage: bench/run.sh [--config embedded|scaleout|all] [--s3rver-plain] [--berth-dll PATH]
#   embedded: Berth (SQLite + filesystem) vs Distribution (filesystem)
#   scaleout: Berth (PostgreSQL + S3) vs Distribution (s3 driver), both on one s3rver (separate buckets)
#   all (default): both, plus Berth embedded vs Berth scale-out
#   --s3rver-plain: s3rver without bench/s3rver-shim.js's missing multipart calls (only the CopyObject fix the
#                   tests use); Distribution's s3 driver then fails, and only Berth is measured in scale-out.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
CLIENT="$BENCH_DIR/regclient.py"
BERTH_DLL=""
CONFIG=all
S3RVER_PLAIN=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --berth-dll) BERTH_DLL=${2:?--berth-dll needs a path}; shift 2 ;;
    --config) CONFIG=${2:?--config needs embedded, scaleout or all}; shift 2 ;;
    --s3rver-plain) S3RVER_PLAIN=1; shift ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$CONFIG" in
  embedded) CONFIGS=(embedded) ;;
  scaleout) CONFIGS=(scaleout) ;;
  all) CONFIGS=(embedded scaleout) ;;
  *) echo "--config must be embedded, scaleout or all" >&2; exit 2 ;;
esac
has_config() { [[ " ${CONFIGS[*]} " == *" $1 "* ]]; }

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- tools -------------------------------------------------------------------------------------------
need_pkgs=()
for t in docker-registry:docker-registry wrk:wrk skopeo:skopeo curl:curl openssl:openssl python3:python3; do
  command -v "${t%%:*}" >/dev/null 2>&1 || need_pkgs+=("${t##*:}")
done
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
  log "installing ${need_pkgs[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
DISTRIBUTION_BIN=$(command -v docker-registry)

PG_BIN=""; S3RVER_JS=""
if has_config scaleout; then
  # Same tools as the tests (scripts/install-test-deps.sh installs them).
  PG_BIN=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)
  [[ -n "$PG_BIN" ]] || die "no /usr/lib/postgresql/*/bin/initdb: run scripts/install-test-deps.sh"
  PG_BIN=$(dirname "$PG_BIN")
  S3RVER_JS="${BERTH_TEST_TOOLS:-/opt/berth-test-tools}/s3rver/node_modules/s3rver/bin/s3rver.js"
  [[ -f "$S3RVER_JS" ]] || die "no s3rver at $S3RVER_JS: run scripts/install-test-deps.sh"
  command -v node >/dev/null || die "node not found (s3rver needs Node.js)"
fi

if [[ -z "$BERTH_DLL" ]]; then
  # Published as deploy/README.md says (with a runtime identifier, so ReadyToRun): what an operator runs.
  RID=$(dotnet --info | awk '/^ *RID:/ {print $2; exit}')
  log "publishing Berth (Release, $RID, ReadyToRun)"
  (cd "$REPO_ROOT" && timeout 600 dotnet publish src/Berth.Cli -c Release -r "$RID" -o "$BENCH_DIR/out/berth" -nologo -v q) >&2
  BERTH_DLL="$BENCH_DIR/out/berth/berth.dll"
fi
[[ -f "$BERTH_DLL" ]] || die "no Berth dll at $BERTH_DLL"
BERTH_DLL=$(cd "$(dirname "$BERTH_DLL")" && pwd)/$(basename "$BERTH_DLL")

# --- workspace, cleanup --------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
PG_DIR=""       # separate from WORK: as root the server runs as the postgres user, which can't enter WORK
BERTH_PID=""; DIST_PID=""; S3_PID=""
AS_ROOT=0; [[ $(id -u) -eq 0 ]] && AS_ROOT=1
PG_RUN=()        # as root, PostgreSQL's tools run as the postgres OS user (they refuse to run as root)
[[ $AS_ROOT -eq 1 ]] && PG_RUN=(runuser -u postgres --)
pg_tool() {  # seconds tool args...: a PostgreSQL server tool, bounded, in PG_DIR
  local t=$1 tool=$2; shift 2
  (cd "$PG_DIR" && timeout "$t" "${PG_RUN[@]}" "$PG_BIN/$tool" "$@")
}
stop_pid() {  # TERM, wait up to 5 s, KILL
  local pid=$1
  [[ -n "$pid" ]] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$BERTH_PID"; stop_pid "$DIST_PID"; stop_pid "$S3_PID"
  if [[ -n "$PG_DIR" && -f "$PG_DIR/data/postmaster.pid" ]]; then
    pg_tool 30 pg_ctl -D "$PG_DIR/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  fi
  [[ -n "$PG_DIR" ]] && rm -rf "$PG_DIR"
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
declare -A USED_PORTS=()
new_port() {  # a free port not handed out before in this run
  local p
  for _ in $(seq 20); do
    p=$(free_port)
    [[ -z "${USED_PORTS[$p]:-}" ]] && { USED_PORTS[$p]=1; echo "$p"; return 0; }
  done
  die "no free port"
}
rand_hex() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# --- PostgreSQL and s3rver (scale-out only) ------------------------------------------------------------
PG_PORT=""; S3_PORT=""; S3_URL=""
start_postgres() {
  PG_DIR=$(mktemp -d /tmp/berth-bench-pg.XXXXXX)
  [[ $AS_ROOT -eq 1 ]] && chown postgres: "$PG_DIR"
  PG_PORT=$(new_port)
  log "starting PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$PG_PORT"
  pg_tool 90 initdb -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$WORK/pg-initdb.log" 2>&1 || { cat "$WORK/pg-initdb.log" >&2; die "initdb failed"; }
  # synchronous_commit=off matches Berth's embedded SQLite (WAL, synchronous=NORMAL: commits are not flushed
  # one by one, a crash can lose the last ones but never corrupts). fsync and full_page_writes stay on.
  pg_tool 90 pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=200 -c synchronous_commit=off" start \
    >"$WORK/pg-start.log" 2>&1 || { cat "$WORK/pg-start.log" "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
  timeout 30 psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE berth' >/dev/null \
    || die "CREATE DATABASE failed"
  # Required with PostgreSQL: encrypts the dashboard key ring the nodes share in the database.
  DP_KEY=$(head -c 32 /dev/urandom | base64)
}

start_s3rver() {
  S3_PORT=$(new_port)
  S3_URL="http://127.0.0.1:$S3_PORT"
  local preload="$BENCH_DIR/s3rver-shim.js"
  if [[ $S3RVER_PLAIN -eq 1 ]]; then
    # Only the fix the tests preload (tests/Berth.Testing/S3Server.cs): CopyObject works, the multipart gaps remain.
    preload="$WORK/copy-source-fix.js"
    echo 'globalThis.decodeURI = decodeURIComponent;' >"$preload"
  fi
  log "starting s3rver $(node "$S3RVER_JS" --version) on $S3_URL (preload $(basename "$preload"))"
  mkdir -p "$WORK/s3"
  node --require "$preload" "$S3RVER_JS" --directory "$WORK/s3/data" --address 127.0.0.1 --port "$S3_PORT" \
    --no-vhost-buckets --silent >"$WORK/s3/log" 2>&1 &
  S3_PID=$!
  for _ in $(seq 150); do  # <= 30 s
    curl -s -o /dev/null "$S3_URL/" && break
    kill -0 "$S3_PID" 2>/dev/null || { cat "$WORK/s3/log" >&2; die "s3rver exited"; }
    sleep 0.2
  done
  for b in berth dist; do  # s3rver checks no signatures: an unsigned PUT creates a bucket
    [[ $(curl -s -o /dev/null -w '%{http_code}' -X PUT "$S3_URL/$b") == 200 ]] || die "creating bucket $b failed"
  done
}

# --- Berth and Distribution ----------------------------------------------------------------------------
BERTH=""; DIST=""; B_HOST=""; D_HOST=""; B_AUTH=""
start_servers() {  # config
  local cfg=$1 bport dport
  bport=$(new_port); dport=$(new_port)
  BERTH="http://127.0.0.1:$bport"; DIST="http://127.0.0.1:$dport"
  B_HOST="127.0.0.1:$bport"; D_HOST="127.0.0.1:$dport"
  ADMIN_PW="bench-$(rand_hex)"
  mkdir -p "$WORK/$cfg/berth" "$WORK/$cfg/dist/data"

  # Per-request logging off on both sides (Distribution: level warn, access log disabled).
  local berth_env=(Berth__DataDir="$WORK/$cfg/berth/data" Berth__Admin__Password="$ADMIN_PW"
    Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Information
    DOTNET_CLI_TELEMETRY_OPTOUT=1)
  if [[ $cfg == scaleout ]]; then
    berth_env+=(Berth__Metadata__Provider=postgres
      "Berth__Metadata__ConnectionString=Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=berth"
      Berth__DataProtection__Key="$DP_KEY"
      Berth__Storage__Provider=s3 Berth__Storage__S3__Bucket=berth Berth__Storage__S3__ServiceUrl="$S3_URL"
      Berth__Storage__S3__Region=us-east-1 Berth__Storage__S3__ForcePathStyle=true
      AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER)
  fi
  log "starting Berth ($cfg) on $BERTH"
  # AWS_CA_BUNDLE (set in some sandboxes) makes Distribution's AWS SDK panic at start ("LoadCustomCABundleError:
  # ... HTTPClient's transport unsupported type"); everything here is plain http, so it is dropped for both.
  env -u AWS_CA_BUNDLE "${berth_env[@]}" dotnet "$BERTH_DLL" serve --urls "$BERTH" >"$WORK/$cfg/berth/log" 2>&1 &
  BERTH_PID=$!

  local storage
  if [[ $cfg == scaleout ]]; then
    # Distribution 2.8's s3 driver ("s3aws"): with regionendpoint set it uses path-style URLs. Defaults otherwise
    # (chunksize 10 MiB, multipartcopythresholdsize 32 MiB). redirect disabled: blob GETs stream through the
    # registry, as Berth does by default (Berth__Storage__S3__RedirectGets=false).
    storage="  s3:
    accesskey: S3RVER
    secretkey: S3RVER
    region: us-east-1
    regionendpoint: $S3_URL
    bucket: dist
    secure: false
    v4auth: true
    rootdirectory: /registry
  redirect:
    disable: true"
  else
    storage="  filesystem:
    rootdirectory: $WORK/$cfg/dist/data"
  fi
  cat >"$WORK/$cfg/dist/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
$storage
  delete:
    enabled: true
http:
  addr: $D_HOST
  secret: bench-$(rand_hex)
EOF
  log "starting Distribution ($cfg) on $DIST"
  env -u AWS_CA_BUNDLE "$DISTRIBUTION_BIN" serve "$WORK/$cfg/dist/config.yml" >"$WORK/$cfg/dist/log" 2>&1 &
  DIST_PID=$!

  for _ in $(seq 300); do  # <= 60 s
    grep -q "Now listening on" "$WORK/$cfg/berth/log" 2>/dev/null && break
    kill -0 "$BERTH_PID" 2>/dev/null || { cat "$WORK/$cfg/berth/log" >&2; die "Berth exited"; }
    sleep 0.2
  done
  grep -q "Now listening on" "$WORK/$cfg/berth/log" || { cat "$WORK/$cfg/berth/log" >&2; die "Berth did not start"; }
  for _ in $(seq 150); do  # <= 30 s
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$DIST/v2/" || true) == 200 ]] && break
    kill -0 "$DIST_PID" 2>/dev/null || { cat "$WORK/$cfg/dist/log" >&2; die "Distribution exited"; }
    sleep 0.2
  done
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$DIST/v2/") == 200 ]] || die "Distribution did not start"

  api() { curl -sf -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' "$@"; }
  api -d '{"name":"bench"}' "$BERTH/api/v1/projects" >/dev/null || die "creating project failed"
  local reg_json
  reg_json=$(api -d '{"name":"bench-reg"}' "$BERTH/api/v1/projects/bench/registries") || die "creating registry failed"
  B_AUTH="bench-reg:$(python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])' <<<"$reg_json")"
}
stop_servers() {
  stop_pid "$BERTH_PID"; BERTH_PID=""
  stop_pid "$DIST_PID"; DIST_PID=""
}

# --- helpers -----------------------------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { python3 -c "print(format($1, '.${2:-1}f'))"; }
to_ms() {  # wrk latency "1.23ms" / "456.00us" / "1.02s" -> ms
  python3 -c "import re,sys; v=sys.argv[1]; n=float(re.match(r'[0-9.]+',v).group()); u=v[len(re.match(r'[0-9.]+',v).group()):]; print(format(n*{'us':1e-3,'ms':1,'s':1e3,'m':6e4}[u],'.2f'))" "$1"
}
BLOB_BYTES=$((256 * 1024 * 1024))
RUNS=3
SKOPEO_RUNS=5   # pulls of ~0.5 s vary by ±0.1 s from run to run: more runs for a steadier median
TAGS=1000
# Same repository paths on both servers; on Berth the first segment is the registry.
REPO_PREFIX=bench-reg
declare -A R=()      # results: R[config.metric.who]
declare -A NOTE=()   # NOTE[config]: why Distribution was not measured
IMG_BYTES=0

# --- the measurements (1-6), for one configuration ---------------------------------------------------------
run_suite() {  # config who...
  local cfg=$1; shift
  local whos=("$@") who i s vals base auth cred out code size speed url

  # 1. monolithic upload. Distribution 2.8 ignores a body on POST ?digest= (answers 202 and opens a
  #    session), so for it the monolithic upload is POST (no body) + one PUT ?digest= with the whole body.
  for who in "${whos[@]}"; do
    vals=()
    for i in $(seq $RUNS); do
      if [[ $who == berth ]]; then
        s=$(timeout 300 python3 "$CLIENT" mono --base "$BERTH" --auth "$B_AUTH" --repo "$REPO_PREFIX/blob" \
              --file "$WORK/blob.bin" --digest "$BLOB_DIGEST")
      else
        s=$(timeout 300 python3 "$CLIENT" mono --split --base "$DIST" --repo "$REPO_PREFIX/blob" \
              --file "$WORK/blob.bin" --digest "$BLOB_DIGEST")
      fi
      vals+=("$(calc "$BLOB_BYTES / 1e6 / $s")")
    done
    R[$cfg.mono.$who]=$(median "${vals[@]}")
    log "[$cfg] monolithic upload $who: ${vals[*]} MB/s"
  done

  # 2. chunked upload, 16 MiB PATCHes with Content-Range.
  for who in "${whos[@]}"; do
    vals=()
    base=$BERTH; auth=$B_AUTH
    [[ $who == dist ]] && { base=$DIST; auth=""; }
    for i in $(seq $RUNS); do
      s=$(timeout 300 python3 "$CLIENT" chunked --chunk-mib 16 --base "$base" --auth "$auth" \
            --repo "$REPO_PREFIX/blob" --file "$WORK/blob.bin" --digest "$BLOB_DIGEST")
      vals+=("$(calc "$BLOB_BYTES / 1e6 / $s")")
    done
    R[$cfg.chunked.$who]=$(median "${vals[@]}")
    log "[$cfg] chunked upload $who: ${vals[*]} MB/s"
  done

  # 3. blob GET to /dev/null.
  for who in "${whos[@]}"; do
    vals=()
    base=$BERTH; cred=(-u "$B_AUTH")
    [[ $who == dist ]] && { base=$DIST; cred=(); }
    for i in $(seq $RUNS); do
      out=$(curl -s --max-time 300 "${cred[@]}" -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' \
              "$base/v2/$REPO_PREFIX/blob/blobs/$BLOB_DIGEST")
      read -r code size speed <<<"$out"
      [[ $code == 200 && $size == "$BLOB_BYTES" ]] || die "[$cfg] blob GET $who: status $code, $size bytes"
      vals+=("$(calc "$speed / 1e6")")
    done
    R[$cfg.get.$who]=$(median "${vals[@]}")
    log "[$cfg] blob GET $who: ${vals[*]} MB/s"
  done

  # 4. manifest GET by tag (wrk). Small image first.
  for who in "${whos[@]}"; do
    base=$BERTH; auth=$B_AUTH
    [[ $who == dist ]] && { base=$DIST; auth=""; }
    timeout 120 python3 "$CLIENT" small --base "$base" --auth "$auth" --repo "$REPO_PREFIX/small" --tag v1 \
      --out "$WORK/$cfg/manifest-$who.json" >/dev/null
    {
      echo 'wrk.method = "GET"'
      echo 'wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"'
      [[ $who == berth ]] && echo "wrk.headers[\"Authorization\"] = \"Basic $(printf '%s' "$B_AUTH" | base64 -w0)\""
    } >"$WORK/$cfg/$who.lua"
    url="$base/v2/$REPO_PREFIX/small/manifests/v1"
    # check once, then 3 s warm-up (JIT, connection pools), then the measured 10 s. --timeout 10s: a slow
    # server's p99 is measured rather than cut off at wrk's default 2 s (which would count as a socket error).
    cred=(); [[ $who == berth ]] && cred=(-u "$B_AUTH")
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
             "${cred[@]}" "$url")
    [[ $code == 200 ]] || die "[$cfg] manifest GET $who: $code"
    timeout 40 wrk -t2 -c64 -d3s --timeout 10s -s "$WORK/$cfg/$who.lua" "$url" >/dev/null
    timeout 60 wrk -t2 -c64 -d10s --timeout 10s --latency -s "$WORK/$cfg/$who.lua" "$url" >"$WORK/$cfg/wrk-$who.txt"
    if grep -q "Non-2xx" "$WORK/$cfg/wrk-$who.txt"; then cat "$WORK/$cfg/wrk-$who.txt" >&2; die "[$cfg] wrk $who: non-2xx responses"; fi
    if grep -q "Socket errors" "$WORK/$cfg/wrk-$who.txt"; then log "[$cfg] wrk $who: $(grep 'Socket errors' "$WORK/$cfg/wrk-$who.txt")"; fi
    cp "$WORK/$cfg/wrk-$who.txt" "$BENCH_DIR/out/wrk-$cfg-$who.txt"
    R[$cfg.rps.$who]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$WORK/$cfg/wrk-$who.txt")
    if [[ ${R[$cfg.rps.$who]} == 0 ]]; then
      R[$cfg.p99.$who]="n/a"   # no request completed in 10 s: there is no latency to report
    else
      R[$cfg.p99.$who]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/$cfg/wrk-$who.txt")")
    fi
    log "[$cfg] manifest GET $who: ${R[$cfg.rps.$who]} req/s, p99 ${R[$cfg.p99.$who]} ms"
  done

  # 5. 1,000 tags: the same manifest PUT under 1,000 names, 8 keep-alive connections.
  for who in "${whos[@]}"; do
    base=$BERTH; auth=$B_AUTH
    [[ $who == dist ]] && { base=$DIST; auth=""; }
    s=$(timeout 300 python3 "$CLIENT" tags --base "$base" --auth "$auth" --repo "$REPO_PREFIX/small" \
          --manifest "$WORK/$cfg/manifest-$who.json" --count $TAGS --conns 8)
    R[$cfg.tags.$who]=$(calc "$s" 2)
    R[$cfg.tagrate.$who]=$(calc "$TAGS / $s" 0)
    log "[$cfg] 1000 tags $who: $s s"
  done

  # 6. skopeo push and pull of a ~150 MB, 5-layer image; a fresh random image (and repository) per run,
  #    so every push uploads every layer.
  local -A PUSH=() PULL=()
  local layout
  skopeo_time() {  # prints seconds
    local t0 t1
    t0=$(date +%s.%N)
    timeout 300 skopeo --insecure-policy copy -q "$@" >&2
    t1=$(date +%s.%N)
    calc "$t1 - $t0" 2
  }
  # Round 0 warms both servers up and is not counted: a JIT runtime compiles its pull path on the first pulls
  # (Distribution is compiled ahead of time). Its times are logged and reported as "first pull after start".
  for i in $(seq 0 $SKOPEO_RUNS); do
    layout="$WORK/oci-$i"
    IMG_BYTES=$(timeout 120 python3 "$CLIENT" mkoci --dir "$layout" --tag latest --layers 5 --layer-mib 30)
    for who in "${whos[@]}"; do
      if [[ $who == berth ]]; then
        PUSH[$who]+=" $(skopeo_time --dest-tls-verify=false --dest-creds "$B_AUTH" \
            "oci:$layout:latest" "docker://$B_HOST/$REPO_PREFIX/img$i:latest")"
      else
        PUSH[$who]+=" $(skopeo_time --dest-tls-verify=false \
            "oci:$layout:latest" "docker://$D_HOST/$REPO_PREFIX/img$i:latest")"
      fi
    done
    for who in "${whos[@]}"; do
      if [[ $who == berth ]]; then
        PULL[$who]+=" $(skopeo_time --src-tls-verify=false --src-creds "$B_AUTH" \
            "docker://$B_HOST/$REPO_PREFIX/img$i:latest" "oci:$WORK/pull-$who-$i:latest")"
      else
        PULL[$who]+=" $(skopeo_time --src-tls-verify=false \
            "docker://$D_HOST/$REPO_PREFIX/img$i:latest" "oci:$WORK/pull-$who-$i:latest")"
      fi
      rm -rf "$WORK/pull-$who-$i"
    done
    rm -rf "$layout"
  done
  for who in "${whos[@]}"; do
    read -r R[$cfg.push0.$who] PUSH[$who] <<<"${PUSH[$who]}"
    read -r R[$cfg.pull0.$who] PULL[$who] <<<"${PULL[$who]}"
    log "[$cfg] skopeo $who, warm-up round: push ${R[$cfg.push0.$who]} / pull ${R[$cfg.pull0.$who]} (s)"
    # shellcheck disable=SC2086 # word-splitting the space-separated timings is intended
    R[$cfg.push.$who]=$(median ${PUSH[$who]}); R[$cfg.pull.$who]=$(median ${PULL[$who]})
    log "[$cfg] skopeo $who: push${PUSH[$who]} / pull${PULL[$who]} (s)"
  done
}

# Distribution's s3 driver needs ListMultipartUploads for every PATCH/PUT of an upload; with --s3rver-plain that
# call fails. One small chunked upload shows whether it works; its error goes into the report.
probe_dist_s3() {
  head -c $((1024 * 1024)) /dev/urandom >"$WORK/probe.bin"
  local d err
  d="sha256:$(sha256sum "$WORK/probe.bin" | cut -d' ' -f1)"
  if err=$(timeout 60 python3 "$CLIENT" chunked --chunk-mib 1 --base "$DIST" --auth "" --repo "$REPO_PREFIX/probe" \
             --file "$WORK/probe.bin" --digest "$d" 2>&1 >/dev/null); then
    return 0
  fi
  NOTE[scaleout]="client: $(tr '\n' ' ' <<<"$err" | cut -c1-400) — Distribution log: $(grep -m1 'level=error' "$WORK/scaleout/dist/log" | grep -o 'msg="[^"]*"' | head -1)"
  log "Distribution's s3 driver fails against this s3rver: ${NOTE[scaleout]}"
  return 1
}

mkdir -p "$BENCH_DIR/out"
# --- run ---------------------------------------------------------------------------------------------
log "generating 256 MiB random blob"
head -c "$BLOB_BYTES" /dev/urandom >"$WORK/blob.bin"
BLOB_DIGEST="sha256:$(sha256sum "$WORK/blob.bin" | cut -d' ' -f1)"
declare -A WHOS=()
for cfg in "${CONFIGS[@]}"; do
  if [[ $cfg == scaleout ]]; then
    start_postgres
    start_s3rver
  fi
  start_servers "$cfg"
  WHOS[$cfg]="berth dist"
  if [[ $cfg == scaleout ]] && ! probe_dist_s3; then
    WHOS[$cfg]="berth"
  fi
  # shellcheck disable=SC2086
  run_suite "$cfg" ${WHOS[$cfg]}
  if [[ $cfg == scaleout ]]; then
    log "s3rver data on disk: $(du -sh "$WORK/s3/data" | cut -f1)"
  fi
  cp "$WORK/$cfg/berth/log" "$BENCH_DIR/out/berth-$cfg.log"; cp "$WORK/$cfg/dist/log" "$BENCH_DIR/out/dist-$cfg.log"
  stop_servers
  rm -rf "$WORK/$cfg/berth/data" "$WORK/$cfg/dist/data"
done
rm -f "$WORK/blob.bin"

# 7. single-core sha256.
SHA_K=$(openssl speed -evp sha256 -bytes 1048576 -seconds 3 2>/dev/null | awk '/^sha256/ {sub(/k$/, "", $NF); print $NF}')
SHA_MBS=$(calc "$SHA_K * 1000 / 1e6")

# --- report ------------------------------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
COMMIT=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
row() {  # config key label unit better(higher|lower) factor (a number, or "info": no target)
  local cfg=$1 key=$2 label=$3 unit=$4 better=$5 factor=${6:-1} b d ratio ok target
  b=${R[$cfg.$key.berth]}; d=${R[$cfg.$key.dist]:-}
  if [[ $better == higher ]]; then target="≥ ${factor}× Distribution"; else target="≤ Distribution"; fi
  [[ $factor == 1 ]] && target=${target/1× /}
  if [[ -z "$d" || ! $b =~ ^[0-9.]+$ || ! $d =~ ^[0-9.]+$ || $d == 0 ]]; then
    [[ -z "$d" ]] && d=failed
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$unit" "$better" "$b" "$d" "—" "$target" "—"
    return
  fi
  ratio=$(calc "$b / $d" 2)
  if [[ $factor == info ]]; then
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$unit" "$better" "$b" "$d" "$ratio" "none" "—"
    return
  fi
  if [[ $better == higher ]]; then
    ok=$(python3 -c "print('met' if $b >= $factor * $d else 'MISSED')")
  else
    ok=$(python3 -c "print('met' if $b <= $d else 'MISSED')")
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$unit" "$better" "$b" "$d" "$ratio" "$target" "$ok"
}
table() {  # config
  local cfg=$1
  echo "| metric | unit | better | Berth | Distribution | Berth/Dist | target | result |"
  echo "| --- | --- | --- | ---: | ---: | ---: | --- | --- |"
  row "$cfg" mono    "1. monolithic upload, 256 MiB (Distribution: POST + one PUT)" "MB/s" higher
  row "$cfg" chunked "2. chunked upload, 256 MiB in 16 MiB PATCHes" "MB/s" higher
  row "$cfg" get     "3. blob GET, 256 MiB → /dev/null (curl)" "MB/s" higher
  row "$cfg" rps     "4. manifest GET by tag, wrk -t2 -c64 -d10s" "req/s" higher 2
  row "$cfg" p99     "4. manifest GET p99 latency" "ms" lower
  row "$cfg" tags    "5. 1,000 tag PUTs (8 keep-alive conns), 1 run" "s" lower
  row "$cfg" tagrate "5. 1,000 tag PUTs, rate" "tags/s" higher
  row "$cfg" push    "6. skopeo push, $((IMG_BYTES / 1000000)) MB, 5 gzip layers" "s" lower
  row "$cfg" pull    "6. skopeo pull, same image" "s" lower
  row "$cfg" pull0   "6. skopeo pull, first after start (warm-up round)" "s" lower info
}
mkdir -p "$BENCH_DIR/out"
{
  echo "## Berth vs Distribution — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "- Berth commit: \`$COMMIT\` ($BERTH_DLL)"
  echo "- Distribution: $("$DISTRIBUTION_BIN" --version 2>/dev/null | awk '{print $NF}') (Debian docker-registry); skopeo $(skopeo --version | awk '{print $3}'); wrk; curl $(curl --version | awk 'NR==1 {print $2}')"
  echo "- Machine: $(nproc) CPUs, $CPU_MODEL; servers and all clients on the same host over 127.0.0.1"
  echo "- Distribution runs **without auth**; Berth authenticates every request (HTTP Basic) — a handicap for Berth."
  echo "- MB/s = 10^6 bytes/s; blob = 256 MiB of random data; medians of $RUNS runs (skopeo: $SKOPEO_RUNS, after a warm-up round) unless noted; ratio = Berth/Distribution."
  if has_config embedded; then
    echo
    echo "### Berth (SQLite + filesystem) vs Distribution (filesystem)"
    echo
    table embedded
    echo
    MONO_PCT=$(calc "100 * ${R[embedded.mono.berth]} / $SHA_MBS")
    mono_ok=$(python3 -c "print('met' if $MONO_PCT >= 80 else 'MISSED')")
    echo "7. \`openssl speed -evp sha256 -bytes 1048576 -seconds 3\` (single core): **$SHA_MBS MB/s**;"
    echo "   Berth monolithic upload = **$MONO_PCT %** of it (target ≥ 80 %: $mono_ok)."
  fi
  if has_config scaleout; then
    echo
    echo "### Berth (PostgreSQL + S3) vs Distribution (S3)"
    echo
    echo "- One s3rver $(node "$S3RVER_JS" --version) (Node.js, objects as files) for both, buckets \`berth\` and \`dist\`;"
    if [[ $S3RVER_PLAIN -eq 1 ]]; then
      echo "  preload: only the CopyObject fix the tests use (\`--s3rver-plain\`)."
    else
      echo "  preload \`bench/s3rver-shim.js\` (adds ListMultipartUploads, ListParts, AbortMultipartUpload, UploadPartCopy)."
    fi
    echo "- PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), synchronous_commit=off. Distribution: s3 driver, redirect disabled."
    [[ -n "${NOTE[scaleout]:-}" ]] && echo "- **Distribution not measured**: ${NOTE[scaleout]}"
    echo
    table scaleout
  fi
  if has_config embedded && has_config scaleout; then
    echo
    echo "### Berth embedded vs Berth scale-out (same run)"
    echo
    echo "| metric | unit | better | embedded | scale-out | scale-out/embedded |"
    echo "| --- | --- | --- | ---: | ---: | ---: |"
    for spec in "mono|1. monolithic upload|MB/s|higher" "chunked|2. chunked upload|MB/s|higher" \
                "get|3. blob GET|MB/s|higher" "rps|4. manifest GET|req/s|higher" "p99|4. manifest GET p99|ms|lower" \
                "tags|5. 1,000 tag PUTs|s|lower" "push|6. skopeo push|s|lower" "pull|6. skopeo pull|s|lower"; do
      IFS='|' read -r key label unit better <<<"$spec"
      e=${R[embedded.$key.berth]}; o=${R[scaleout.$key.berth]}; q="—"
      [[ $e =~ ^[0-9.]+$ && $o =~ ^[0-9.]+$ && $e != 0 ]] && q=$(calc "$o / $e" 2)
      printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$unit" "$better" "$e" "$o" "$q"
    done
  fi
  echo
  echo "For s and ms lower is better; for MB/s, req/s and tags/s higher is better."
} | tee "$BENCH_DIR/out/results.md"
