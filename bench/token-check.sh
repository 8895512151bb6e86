#!/usr/bin/env bash
# What an access-token check adds to a manifest GET (issue 13): one Berth on embedded defaults, one small image, and
# wrk on `GET /v2/<repo>/manifests/v1` with four credentials, interleaved so machine noise hits them alike:
#   password-basic  HTTP Basic with the registry's password (a verified password is cached: no per-request hash)
#   token-basic     HTTP Basic with a registry access token (berth_rt_…: prefix, cached state, one SHA-256)
#   password-bearer a bearer token from /auth/token signed in with the password
#   token-bearer    a bearer token from /auth/token signed in with the access token (checked against its state)
# Prints a Markdown table of the medians (requests/s, p50, p99) and writes it to bench/out/token-check.md.
# Usage: bench/token-check.sh [--berth-dll PATH] [--rounds N] [--seconds N]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BERTH_DLL=""
ROUNDS=3
SECONDS_PER_RUN=8
while [[ $# -gt 0 ]]; do
  case $1 in
    --berth-dll) BERTH_DLL=${2:?--berth-dll needs a path}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --seconds) SECONDS_PER_RUN=${2:?}; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

NAME=token-check
EXTRA_ENV=()
# shellcheck source=embedded-berth.sh
source "$BENCH_DIR/embedded-berth.sh"
die() { log "ERROR: $*"; exit 1; }

for t in wrk curl python3; do
  if ! command -v "$t" >/dev/null 2>&1; then
    log "installing $t"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$t" >/dev/null
  fi
done

BASE="http://127.0.0.1:$PORT"
api() { curl -sf -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' "$@"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
api -d '{"name":"bench"}' "$BASE/api/v1/projects" >/dev/null || die "creating project failed"
PASSWORD=$(api -d '{"name":"bench-reg"}' "$BASE/api/v1/projects/bench/registries" | json password) || die "creating registry failed"
TOKEN=$(api -d '{"name":"bench-pull","scopes":["pull","push"]}' "$BASE/api/v1/registries/bench-reg/tokens" | json token) \
  || die "creating an access token failed"
[[ $TOKEN == berth_* ]] || die "access token without the berth_ prefix: $TOKEN"

REPO=bench-reg/small
timeout 120 python3 "$BENCH_DIR/regclient.py" small --base "$BASE" --auth "bench-reg:$PASSWORD" --repo "$REPO" --tag v1 \
  --out "$WORK/manifest.json" >/dev/null || die "pushing the small image failed"

bearer() {  # $1 = password or token -> a bearer token for pulling $REPO, good for the token lifetime
  curl -sf -u "bench-reg:$1" "$BASE/auth/token?service=berth&scope=repository:$REPO:pull" | json token
}
declare -A AUTH=(
  [password-basic]="Basic $(printf 'bench-reg:%s' "$PASSWORD" | base64 -w0)"
  [token-basic]="Basic $(printf 'bench-reg:%s' "$TOKEN" | base64 -w0)"
)
KINDS=(password-basic token-basic password-bearer token-bearer)
URL="$BASE/v2/$REPO/manifests/v1"

to_ms() {  # wrk latency "1.23ms" / "456.00us" / "1.02s" -> ms
  python3 -c "import sys,re; v,u=re.match(r'([\d.]+)(\w+)', sys.argv[1]).groups(); print(round(float(v)*{'us':0.001,'ms':1,'s':1000}[u],3))" "$1"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

declare -A RPS P50 P99
for round in $(seq 1 "$ROUNDS"); do
  # Fresh bearer tokens each round, so none expires during a run (the default lifetime is 5 minutes).
  AUTH[password-bearer]="Bearer $(bearer "$PASSWORD")"
  AUTH[token-bearer]="Bearer $(bearer "$TOKEN")"
  for kind in "${KINDS[@]}"; do
    {
      echo 'wrk.method = "GET"'
      echo 'wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"'
      echo "wrk.headers[\"Authorization\"] = \"${AUTH[$kind]}\""
    } >"$WORK/$kind.lua"
    out="$WORK/wrk-$kind-$round.txt"
    timeout 30 wrk -t2 -c32 -d2s --timeout 10s -s "$WORK/$kind.lua" "$URL" >/dev/null
    timeout 60 wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --timeout 10s --latency -s "$WORK/$kind.lua" "$URL" >"$out"
    grep -q "Non-2xx" "$out" && { cat "$out" >&2; die "$kind: non-2xx responses"; }
    RPS[$kind]+="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out") "
    P50[$kind]+="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")") "
    P99[$kind]+="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")") "
    log "round $round $kind: $(awk '/^Requests\/sec:/ {print $2}' "$out") req/s"
  done
done

mkdir -p "$BENCH_DIR/out"
{
  echo "| credential | requests/s (median of $ROUNDS) | p50 ms | p99 ms |"
  echo "|---|---|---|---|"
  for kind in "${KINDS[@]}"; do
    # shellcheck disable=SC2086
    echo "| $kind | $(median ${RPS[$kind]}) | $(median ${P50[$kind]}) | $(median ${P99[$kind]}) |"
  done
  echo
  echo "wrk -t2 -c32 -d${SECONDS_PER_RUN}s per run after a 2 s warm-up; rounds interleaved; $(nproc) cores; $(date -u +%FT%TZ)."
} | tee "$BENCH_DIR/out/token-check.md"
