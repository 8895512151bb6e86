#!/usr/bin/env bash
# Berth vs CNCF Distribution, side by side on loopback. See bench/README.md.
# Usage: bench/run.sh [--berth-dll PATH]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
CLIENT="$BENCH_DIR/regclient.py"
BERTH_DLL=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --berth-dll) BERTH_DLL=${2:?--berth-dll needs a path}; shift 2 ;;
    -h|--help) sed -n 2,3p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

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

if [[ -z "$BERTH_DLL" ]]; then
  log "building Berth (Release)"
  (cd "$REPO_ROOT" && timeout 600 dotnet build src/Berth.Cli -c Release -nologo -v q) >&2
  BERTH_DLL="$REPO_ROOT/src/Berth.Cli/bin/Release/net10.0/berth.dll"
fi
[[ -f "$BERTH_DLL" ]] || die "no Berth dll at $BERTH_DLL"
BERTH_DLL=$(cd "$(dirname "$BERTH_DLL")" && pwd)/$(basename "$BERTH_DLL")

# --- workspace, servers, cleanup ----------------------------------------------------------------------
WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
BERTH_PID=""; DIST_PID=""
cleanup() {
  local rc=$?
  for pid in $BERTH_PID $DIST_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $BERTH_PID $DIST_PID; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
BERTH_PORT=$(free_port)
DIST_PORT=$(free_port)
while [[ "$DIST_PORT" == "$BERTH_PORT" ]]; do DIST_PORT=$(free_port); done
BERTH="http://127.0.0.1:$BERTH_PORT"
DIST="http://127.0.0.1:$DIST_PORT"
ADMIN_PW="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

log "starting Berth on $BERTH"
mkdir -p "$WORK/berth"
# Per-request logging off on both sides (Distribution: level warn, access log disabled).
env Berth__DataDir="$WORK/berth/data" Berth__Admin__Password="$ADMIN_PW" \
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Information \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  dotnet "$BERTH_DLL" serve --urls "$BERTH" >"$WORK/berth/log" 2>&1 &
BERTH_PID=$!

log "starting Distribution on $DIST"
mkdir -p "$WORK/dist/data"
cat >"$WORK/dist/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $WORK/dist/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$DIST_PORT
  secret: bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
EOF
"$DISTRIBUTION_BIN" serve "$WORK/dist/config.yml" >"$WORK/dist/log" 2>&1 &
DIST_PID=$!

for _ in $(seq 300); do  # <= 60 s
  grep -q "Now listening on" "$WORK/berth/log" 2>/dev/null && break
  kill -0 "$BERTH_PID" 2>/dev/null || { cat "$WORK/berth/log" >&2; die "Berth exited"; }
  sleep 0.2
done
grep -q "Now listening on" "$WORK/berth/log" || { cat "$WORK/berth/log" >&2; die "Berth did not start"; }
for _ in $(seq 150); do  # <= 30 s
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$DIST/v2/" || true) == 200 ]] && break
  kill -0 "$DIST_PID" 2>/dev/null || { cat "$WORK/dist/log" >&2; die "Distribution exited"; }
  sleep 0.2
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$DIST/v2/") == 200 ]] || die "Distribution did not start"

api() { curl -sf -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' "$@"; }
api -d '{"name":"bench"}' "$BERTH/api/v1/projects" >/dev/null || die "creating project failed"
REG_JSON=$(api -d '{"name":"bench-reg"}' "$BERTH/api/v1/projects/bench/registries") || die "creating registry failed"
REG_PW=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])' <<<"$REG_JSON")
REG_USER=bench-reg
B_AUTH="$REG_USER:$REG_PW"
B_HOST="127.0.0.1:$BERTH_PORT"
D_HOST="127.0.0.1:$DIST_PORT"
# Same repository paths on both servers; on Berth the first segment is the registry.
REPO_PREFIX=bench-reg

# --- helpers -----------------------------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { python3 -c "print(format($1, '.${2:-1}f'))"; }
BLOB_BYTES=$((256 * 1024 * 1024))
RUNS=3

declare -A R   # results: R[key.berth], R[key.dist]

# --- 256 MiB blob ------------------------------------------------------------------------------------
log "generating 256 MiB random blob"
head -c "$BLOB_BYTES" /dev/urandom >"$WORK/blob.bin"
BLOB_DIGEST="sha256:$(sha256sum "$WORK/blob.bin" | cut -d' ' -f1)"

# 1. monolithic upload. Distribution 2.8 ignores a body on POST ?digest= (answers 202 and opens a
#    session), so for it the monolithic upload is POST (no body) + one PUT ?digest= with the whole body.
for who in berth dist; do
  vals=()
  for i in $(seq $RUNS); do
    if [[ $who == berth ]]; then
      s=$(timeout 120 python3 "$CLIENT" mono --base "$BERTH" --auth "$B_AUTH" --repo "$REPO_PREFIX/blob" \
            --file "$WORK/blob.bin" --digest "$BLOB_DIGEST")
    else
      s=$(timeout 120 python3 "$CLIENT" mono --split --base "$DIST" --repo "$REPO_PREFIX/blob" \
            --file "$WORK/blob.bin" --digest "$BLOB_DIGEST")
    fi
    vals+=("$(calc "$BLOB_BYTES / 1e6 / $s")")
  done
  R[mono.$who]=$(median "${vals[@]}")
  log "monolithic upload $who: ${vals[*]} MB/s"
done

# 2. chunked upload, 16 MiB PATCHes with Content-Range.
for who in berth dist; do
  vals=()
  base=$BERTH; auth=$B_AUTH
  [[ $who == dist ]] && { base=$DIST; auth=""; }
  for i in $(seq $RUNS); do
    s=$(timeout 120 python3 "$CLIENT" chunked --chunk-mib 16 --base "$base" --auth "$auth" \
          --repo "$REPO_PREFIX/blob" --file "$WORK/blob.bin" --digest "$BLOB_DIGEST")
    vals+=("$(calc "$BLOB_BYTES / 1e6 / $s")")
  done
  R[chunked.$who]=$(median "${vals[@]}")
  log "chunked upload $who: ${vals[*]} MB/s"
done

# 3. blob GET to /dev/null.
for who in berth dist; do
  vals=()
  base=$BERTH; cred=(-u "$B_AUTH")
  [[ $who == dist ]] && { base=$DIST; cred=(); }
  for i in $(seq $RUNS); do
    out=$(curl -s --max-time 120 "${cred[@]}" -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' \
            "$base/v2/$REPO_PREFIX/blob/blobs/$BLOB_DIGEST")
    read -r code size speed <<<"$out"
    [[ $code == 200 && $size == "$BLOB_BYTES" ]] || die "blob GET $who: status $code, $size bytes"
    vals+=("$(calc "$speed / 1e6")")
  done
  R[get.$who]=$(median "${vals[@]}")
  log "blob GET $who: ${vals[*]} MB/s"
done
rm -f "$WORK/blob.bin"

# 4. manifest GET by tag (wrk). Small image first.
timeout 60 python3 "$CLIENT" small --base "$BERTH" --auth "$B_AUTH" --repo "$REPO_PREFIX/small" --tag v1 \
  --out "$WORK/manifest.json" >/dev/null
timeout 60 python3 "$CLIENT" small --base "$DIST" --repo "$REPO_PREFIX/small" --tag v1 \
  --out "$WORK/manifest-dist.json" >/dev/null
B64=$(printf '%s' "$B_AUTH" | base64 -w0)
cat >"$WORK/berth.lua" <<EOF
wrk.method = "GET"
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
wrk.headers["Authorization"] = "Basic $B64"
EOF
cat >"$WORK/dist.lua" <<EOF
wrk.method = "GET"
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
EOF
to_ms() {  # wrk latency "1.23ms" / "456.00us" / "1.02s" -> ms
  python3 -c "import re,sys; v=sys.argv[1]; n=float(re.match(r'[0-9.]+',v).group()); u=v[len(re.match(r'[0-9.]+',v).group()):]; print(format(n*{'us':1e-3,'ms':1,'s':1e3,'m':6e4}[u],'.2f'))" "$1"
}
for who in berth dist; do
  url="$BERTH/v2/$REPO_PREFIX/small/manifests/v1"
  [[ $who == dist ]] && url="$DIST/v2/$REPO_PREFIX/small/manifests/v1"
  # check once, then 3 s warm-up (JIT, connection pools), then the measured 10 s.
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
           $([[ $who == berth ]] && echo "-u $B_AUTH") "$url")
  [[ $code == 200 ]] || die "manifest GET $who: $code"
  timeout 30 wrk -t2 -c64 -d3s -s "$WORK/$who.lua" "$url" >/dev/null
  timeout 40 wrk -t2 -c64 -d10s --latency -s "$WORK/$who.lua" "$url" >"$WORK/wrk-$who.txt"
  if grep -q "Non-2xx" "$WORK/wrk-$who.txt"; then cat "$WORK/wrk-$who.txt" >&2; die "wrk $who: non-2xx responses"; fi
  R[rps.$who]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$WORK/wrk-$who.txt")
  R[p99.$who]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk-$who.txt")")
  log "manifest GET $who: ${R[rps.$who]} req/s, p99 ${R[p99.$who]} ms"
done

# 5. 1,000 tags: the same manifest PUT under 1,000 names, 8 keep-alive connections.
TAGS=1000
for who in berth dist; do
  if [[ $who == berth ]]; then
    s=$(timeout 300 python3 "$CLIENT" tags --base "$BERTH" --auth "$B_AUTH" --repo "$REPO_PREFIX/small" \
          --manifest "$WORK/manifest.json" --count $TAGS --conns 8)
  else
    s=$(timeout 300 python3 "$CLIENT" tags --base "$DIST" --repo "$REPO_PREFIX/small" \
          --manifest "$WORK/manifest-dist.json" --count $TAGS --conns 8)
  fi
  R[tags.$who]=$(calc "$s" 2)
  R[tagrate.$who]=$(calc "$TAGS / $s" 0)
  log "1000 tags $who: $s s"
done

# 6. skopeo push and pull of a ~150 MB, 5-layer image; a fresh random image (and repository) per run,
#    so every push uploads every layer.
declare -a PUSH_B PUSH_D PULL_B PULL_D
skopeo_time() {  # prints seconds
  local t0 t1
  t0=$(date +%s.%N)
  timeout 180 skopeo --insecure-policy copy -q "$@" >&2
  t1=$(date +%s.%N)
  calc "$t1 - $t0" 2
}
IMG_BYTES=0
for i in $(seq $RUNS); do
  layout="$WORK/oci-$i"
  IMG_BYTES=$(timeout 120 python3 "$CLIENT" mkoci --dir "$layout" --tag latest --layers 5 --layer-mib 30)
  PUSH_B+=("$(skopeo_time --dest-tls-verify=false --dest-creds "$B_AUTH" \
      "oci:$layout:latest" "docker://$B_HOST/$REPO_PREFIX/img$i:latest")")
  PUSH_D+=("$(skopeo_time --dest-tls-verify=false \
      "oci:$layout:latest" "docker://$D_HOST/$REPO_PREFIX/img$i:latest")")
  PULL_B+=("$(skopeo_time --src-tls-verify=false --src-creds "$B_AUTH" \
      "docker://$B_HOST/$REPO_PREFIX/img$i:latest" "oci:$WORK/pull-b-$i:latest")")
  PULL_D+=("$(skopeo_time --src-tls-verify=false \
      "docker://$D_HOST/$REPO_PREFIX/img$i:latest" "oci:$WORK/pull-d-$i:latest")")
  rm -rf "$layout" "$WORK/pull-b-$i" "$WORK/pull-d-$i"
done
R[push.berth]=$(median "${PUSH_B[@]}"); R[push.dist]=$(median "${PUSH_D[@]}")
R[pull.berth]=$(median "${PULL_B[@]}"); R[pull.dist]=$(median "${PULL_D[@]}")
log "skopeo push berth ${PUSH_B[*]} / dist ${PUSH_D[*]}; pull berth ${PULL_B[*]} / dist ${PULL_D[*]} (s)"

# 7. single-core sha256.
SHA_K=$(openssl speed -evp sha256 -bytes 1048576 -seconds 3 2>/dev/null | awk '/^sha256/ {sub(/k$/, "", $NF); print $NF}')
SHA_MBS=$(calc "$SHA_K * 1000 / 1e6")
MONO_PCT=$(calc "100 * ${R[mono.berth]} / $SHA_MBS")

# --- report ------------------------------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
COMMIT=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
row() {  # key label unit better(higher|lower) factor
  local key=$1 label=$2 unit=$3 better=$4 factor=${5:-1} b d ratio ok
  b=${R[$key.berth]}; d=${R[$key.dist]}
  ratio=$(calc "$b / $d" 2)
  if [[ $better == higher ]]; then
    ok=$(python3 -c "print('met' if $b >= $factor * $d else 'MISSED')")
    target="≥ ${factor}× Distribution"
  else
    ok=$(python3 -c "print('met' if $b <= $d else 'MISSED')")
    target="≤ Distribution"
  fi
  [[ $factor == 1 ]] && target=${target/1× /}
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$unit" "$better" "$b" "$d" "$ratio" "$target" "$ok"
}
mkdir -p "$BENCH_DIR/out"
{
  echo "## Berth vs Distribution — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "- Berth commit: \`$COMMIT\` ($BERTH_DLL)"
  echo "- Distribution: $("$DISTRIBUTION_BIN" --version 2>/dev/null | awk '{print $NF}') (Debian docker-registry); skopeo $(skopeo --version | awk '{print $3}'); wrk; curl $(curl --version | awk 'NR==1 {print $2}')"
  echo "- Machine: $(nproc) CPUs, $CPU_MODEL; both servers and all clients on the same host over 127.0.0.1"
  echo "- Distribution runs **without auth**; Berth authenticates every request (HTTP Basic) — a handicap for Berth."
  echo "- MB/s = 10^6 bytes/s; blob = 256 MiB of random data; medians of $RUNS runs unless noted; ratio = Berth/Distribution."
  echo
  echo "| metric | unit | better | Berth | Distribution | Berth/Dist | target | result |"
  echo "| --- | --- | --- | ---: | ---: | ---: | --- | --- |"
  row mono    "1. monolithic upload, 256 MiB (Distribution: POST + one PUT)" "MB/s" higher
  row chunked "2. chunked upload, 256 MiB in 16 MiB PATCHes" "MB/s" higher
  row get     "3. blob GET, 256 MiB → /dev/null (curl)" "MB/s" higher
  row rps     "4. manifest GET by tag, wrk -t2 -c64 -d10s" "req/s" higher 2
  row p99     "4. manifest GET p99 latency" "ms" lower
  row tags    "5. 1,000 tag PUTs (8 keep-alive conns), 1 run" "s" lower
  row tagrate "5. 1,000 tag PUTs, rate" "tags/s" higher
  row push    "6. skopeo push, $((IMG_BYTES / 1000000)) MB, 5 gzip layers" "s" lower
  row pull    "6. skopeo pull, same image" "s" lower
  echo
  mono_ok=$(python3 -c "print('met' if $MONO_PCT >= 80 else 'MISSED')")
  echo "7. \`openssl speed -evp sha256 -bytes 1048576 -seconds 3\` (single core): **$SHA_MBS MB/s**;"
  echo "   Berth monolithic upload = **$MONO_PCT %** of it (target ≥ 80 %: $mono_ok)."
  echo
  echo "For s and ms lower is better; for MB/s, req/s and tags/s higher is better."
} | tee "$BENCH_DIR/out/results.md"
