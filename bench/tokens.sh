#!/usr/bin/env bash
# Access tokens on the hot path: manifest GET by tag (wrk, as line 4 of run.sh) with a bearer token issued from the
# registry's password vs one issued from an access token, and Basic with either, rounds interleaved so that machine
# noise hits every mode alike. Embedded defaults (SQLite + filesystem). See bench/README.md, "Access tokens".
# Usage: bench/tokens.sh [--rounds N] [--seconds S] [--berth-dll PATH]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BERTH_DLL=""
ROUNDS=3
SECONDS_PER_RUN=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --berth-dll) BERTH_DLL=${2:?--berth-dll needs a path}; shift 2 ;;
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift 2 ;;
    --seconds) SECONDS_PER_RUN=${2:?--seconds needs a number}; shift 2 ;;
    -h|--help) sed -n 2,5p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

NAME=tokens
# Bearer tokens that outlive the whole run (default 5 min), so no run measures a re-login.
EXTRA_ENV=(Berth__Auth__TokenLifetime=02:00:00)
# shellcheck source=embedded-berth.sh
source "$BENCH_DIR/embedded-berth.sh"

BASE="http://127.0.0.1:$PORT"
api() { curl -sf -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
api -d '{"name":"bench"}' "$BASE/api/v1/projects" >/dev/null
PASSWORD=$(api -d '{"name":"bench-reg"}' "$BASE/api/v1/projects/bench/registries" | field password)
TOKEN=$(api -d '{"name":"bench","scopes":["pull"]}' "$BASE/api/v1/registries/bench-reg/tokens" | field token)
timeout 120 python3 "$BENCH_DIR/regclient.py" small --base "$BASE" --auth "bench-reg:$PASSWORD" --repo bench-reg/small --tag v1 \
  --out "$WORK/manifest.json" >/dev/null
SCOPE="repository:bench-reg/small:pull"
bearer() { curl -sf -u "bench-reg:$1" "$BASE/auth/token?service=berth&scope=$SCOPE" | field token; }
declare -A AUTH=(
  [bearer-password]="Bearer $(bearer "$PASSWORD")"
  [bearer-token]="Bearer $(bearer "$TOKEN")"
  [basic-password]="Basic $(printf 'bench-reg:%s' "$PASSWORD" | base64 -w0)"
  [basic-token]="Basic $(printf 'bench-reg:%s' "$TOKEN" | base64 -w0)"
)
MODES=(bearer-password bearer-token basic-password basic-token)
URL="$BASE/v2/bench-reg/small/manifests/v1"

to_ms() {  # wrk latency "1.23ms" / "456.00us" / "1.02s" -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

declare -A RPS P99
for mode in "${MODES[@]}"; do
  {
    echo 'wrk.method = "GET"'
    echo 'wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"'
    echo "wrk.headers[\"Authorization\"] = \"${AUTH[$mode]}\""
  } >"$WORK/$mode.lua"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' -H "Authorization: ${AUTH[$mode]}" "$URL")
  [[ $code == 200 ]] || { log "$mode: manifest GET answered $code"; exit 1; }
  timeout 40 wrk -t2 -c64 -d3s --timeout 10s -s "$WORK/$mode.lua" "$URL" >/dev/null  # warm-up
done

for round in $(seq 1 "$ROUNDS"); do
  for mode in "${MODES[@]}"; do
    out="$WORK/wrk-$mode-$round.txt"
    timeout $((SECONDS_PER_RUN + 30)) wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --timeout 10s --latency -s "$WORK/$mode.lua" "$URL" >"$out"
    if grep -q "Non-2xx" "$out"; then cat "$out" >&2; log "$mode: non-2xx responses"; exit 1; fi
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    RPS[$mode]="${RPS[$mode]:-} $rps"; P99[$mode]="${P99[$mode]:-} $p99"
    log "round $round $mode: $rps req/s, p99 $p99 ms"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "| mode | req/s (median of $ROUNDS) | p99 ms (median) | runs req/s |"
echo "| --- | ---: | ---: | --- |"
for mode in "${MODES[@]}"; do
  echo "| $mode | $(median <<<"${RPS[$mode]}") | $(median <<<"${P99[$mode]}") | ${RPS[$mode]# } |"
done
