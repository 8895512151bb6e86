#!/usr/bin/env bash
# Scanner benchmark (issue 6): scan time of a ~150 MB image with ~500 packages against >= 50,000 OSV advisories,
# and the server's memory. See bench/README.md, "Scanner".
# Usage: bench/scan.sh [--berth-dll PATH] [--advisories N] [--image-mb N] [--filler random|text] [--rescans N]
#                      [--soak N] [--updates N] [--seed N] [--profile]
#   builds src/Berth.Cli in Release unless --berth-dll is given; starts `berth serve` on a free 127.0.0.1 port with a
#   temp data dir; imports the generated advisories (zip) through POST /api/v1/vulndb; pushes the generated image with
#   skopeo; waits for the scan on push; re-scans --rescans times (POST .../scan, default 3, their median is reported),
#   then --soak more times (default 20) watching the server's peak RSS; then --updates database updates (default 3:
#   the same archive with 1 % of it revised, then the original, ...; each queues the scan again and rebuilds the
#   advisory index); prints a Markdown table (also written to
#   bench/out/scan-results.md, with the server log in bench/out/berth-scan.log).
#   --filler text: the image's filler files are mostly compressible (~2.5x) instead of random bytes, so the same
#   ~150 MB of layers inflate to ~375 MB (a real image's ratio) and decompression is measured too.
#   --profile: also record dotnet-counters (System.Runtime, 1 s) and a gcdump (heap by type) at start, after the
#              import, after the first scan and at the end, into bench/out/scan-counters.csv, scan-*.gcdump and
#              scan-gcdump-*.txt (the `dotnet-gcdump report`);
#              needs dotnet-counters and dotnet-gcdump on PATH. A gcdump forces a full GC: the memory figures of a
#              profiled run are not comparable with a plain one.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
GEN="$BENCH_DIR/scangen.py"
BERTH_DLL=""
ADVISORIES=50000
IMAGE_MB=150
RESCANS=3
SOAK=20
UPDATES=3
FILLER=random
SEED=6
PROFILE=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --berth-dll) BERTH_DLL=${2:?--berth-dll needs a path}; shift 2 ;;
    --advisories) ADVISORIES=${2:?}; shift 2 ;;
    --image-mb) IMAGE_MB=${2:?}; shift 2 ;;
    --rescans) RESCANS=${2:?}; shift 2 ;;
    --soak) SOAK=${2:?}; shift 2 ;;
    --updates) UPDATES=${2:?}; shift 2 ;;
    --filler) FILLER=${2:?}; shift 2 ;;
    --seed) SEED=${2:?}; shift 2 ;;
    --profile) PROFILE=1; shift ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ $ADVISORIES =~ ^[0-9]+$ && $IMAGE_MB =~ ^[0-9]+$ && $RESCANS =~ ^[0-9]+$ && $RESCANS -ge 1 && $SEED =~ ^[0-9]+$ \
   && $SOAK =~ ^[0-9]+$ && $UPDATES =~ ^[0-9]+$ && $FILLER =~ ^(random|text)$ ]] \
  || { echo "--advisories, --image-mb, --soak, --updates, --seed: numbers; --rescans: >= 1; --filler: random or text" >&2; exit 2; }

log() { printf '[scan-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- tools -------------------------------------------------------------------------------------------
need_pkgs=()
for t in skopeo:skopeo curl:curl python3:python3; do
  command -v "${t%%:*}" >/dev/null 2>&1 || need_pkgs+=("${t##*:}")
done
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
  log "installing ${need_pkgs[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if [[ $PROFILE -eq 1 ]]; then
  for t in dotnet-counters dotnet-gcdump; do
    command -v "$t" >/dev/null || die "--profile needs $t on PATH (dotnet tool install --tool-path DIR $t)"
  done
fi

if [[ -z "$BERTH_DLL" ]]; then
  log "building Berth (Release)"
  (cd "$REPO_ROOT" && timeout 600 dotnet build src/Berth.Cli -c Release -nologo -v q) >&2
  BERTH_DLL="$REPO_ROOT/src/Berth.Cli/bin/Release/net10.0/berth.dll"
fi
[[ -f "$BERTH_DLL" ]] || die "no Berth dll at $BERTH_DLL"
BERTH_DLL=$(cd "$(dirname "$BERTH_DLL")" && pwd)/$(basename "$BERTH_DLL")

# --- workspace, cleanup --------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/berth-scan-bench.XXXXXX)
BERTH_PID=""; COUNTERS_PID=""
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
  [[ -f "$WORK/berth/log" ]] && cp "$WORK/berth/log" "$BENCH_DIR/out/berth-scan.log" 2>/dev/null
  stop_pid "$COUNTERS_PID"
  stop_pid "$BERTH_PID"
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT INT TERM
mkdir -p "$BENCH_DIR/out"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rand_hex() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
calc() { python3 -c "print(format($1, '.${2:-1}f'))"; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[int(k)] if isinstance(d,list) else d[k]
print(json.dumps(d) if isinstance(d,(dict,list)) else d)' "$1"; }
mem_mb() {  # field (VmHWM|VmRSS) -> MB (10^6 bytes) of the server process
  awk -v f="$1:" '$1 == f {printf "%.0f", $2 * 1024 / 1e6}' "/proc/$BERTH_PID/status"
}

# --- data --------------------------------------------------------------------------------------------------
log "generating the image (~$IMAGE_MB MB, 5 gzip layers)"
t0=$(date +%s.%N)
IMG_JSON=$(timeout 300 python3 "$GEN" image --dir "$WORK/oci" --tag latest --inventory "$WORK/inventory.json" \
             --mb "$IMAGE_MB" --filler "$FILLER" --seed "$SEED")
log "image: $IMG_JSON ($(calc "$(date +%s.%N) - $t0") s)"
log "generating $ADVISORIES OSV advisories (zip)"
t0=$(date +%s.%N)
ADV_JSON=$(timeout 300 python3 "$GEN" advisories --inventory "$WORK/inventory.json" --out "$WORK/advisories.zip" \
             --count "$ADVISORIES" --expected-out "$WORK/expected.json" --update-out "$WORK/advisories-update.zip" --seed "$SEED")
log "advisories: $ADV_JSON ($(calc "$(date +%s.%N) - $t0") s)"

# --- server ------------------------------------------------------------------------------------------------
PORT=$(free_port)
BERTH="http://127.0.0.1:$PORT"
HOST="127.0.0.1:$PORT"
ADMIN_PW="bench-$(rand_hex)"
mkdir -p "$WORK/berth"
log "starting Berth on $BERTH"
# Warning by default (no per-request lines); the scanning classes at Information for the index-build and per-scan
# timings ("Advisory index ... built", "Scanned ...").
env Berth__DataDir="$WORK/berth/data" Berth__Admin__Password="$ADMIN_PW" \
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Information \
  Logging__LogLevel__Berth.Registry.Scanning=Information DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  dotnet "$BERTH_DLL" serve --urls "$BERTH" >"$WORK/berth/log" 2>&1 &
BERTH_PID=$!
for _ in $(seq 300); do  # <= 60 s
  grep -q "Now listening on" "$WORK/berth/log" 2>/dev/null && break
  kill -0 "$BERTH_PID" 2>/dev/null || { cat "$WORK/berth/log" >&2; die "Berth exited"; }
  sleep 0.2
done
grep -q "Now listening on" "$WORK/berth/log" || { cat "$WORK/berth/log" >&2; die "Berth did not start"; }

api() { curl -sf --max-time 60 -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' "$@"; }
api -d '{"name":"bench"}' "$BERTH/api/v1/projects" >/dev/null || die "creating project failed"
REG_JSON=$(api -d '{"name":"scan-reg"}' "$BERTH/api/v1/projects/bench/registries") || die "creating registry failed"
REG_AUTH="scan-reg:$(jget password <<<"$REG_JSON")"
sleep 2  # let start-up settle before the baseline
if [[ $PROFILE -eq 1 ]]; then
  dotnet-counters collect -p "$BERTH_PID" --refresh-interval 1 --format csv -o "$BENCH_DIR/out/scan-counters.csv" \
    --counters System.Runtime >"$WORK/counters.log" 2>&1 &
  COUNTERS_PID=$!
fi
gcdump() {  # name: the heap by type, largest first (--profile only)
  [[ $PROFILE -eq 1 ]] || return 0
  timeout 120 dotnet-gcdump collect -p "$BERTH_PID" -o "$BENCH_DIR/out/scan-$1.gcdump" >/dev/null 2>&1 || { log "gcdump $1 failed"; return 0; }
  timeout 120 dotnet-gcdump report "$BENCH_DIR/out/scan-$1.gcdump" >"$BENCH_DIR/out/scan-gcdump-$1.txt" || true
  log "gcdump $1: $(sed -n 1,3p "$BENCH_DIR/out/scan-gcdump-$1.txt" | tr -s ' ' | tr '\n' ' ')"
}
gcdump start
HWM_START=$(mem_mb VmHWM); RSS_START=$(mem_mb VmRSS)
log "server memory at start: VmHWM $HWM_START MB, VmRSS $RSS_START MB"

# --- import ------------------------------------------------------------------------------------------------
log "importing $(calc "$(stat -c %s "$WORK/advisories.zip") / 1e6") MB of advisories"
OUT=$(curl -s --max-time 900 -u "admin:$ADMIN_PW" -H 'Content-Type: application/zip' \
        --data-binary @"$WORK/advisories.zip" -w '\n%{http_code} %{time_total}' "$BERTH/api/v1/vulndb?source=bench-osv")
read -r CODE IMPORT_S <<<"$(tail -n 1 <<<"$OUT")"
IMPORT_JSON=$(sed '$d' <<<"$OUT")
[[ $CODE == 200 ]] || die "import: HTTP $CODE: $(head -c 500 <<<"$IMPORT_JSON")"
IMPORT_S=$(calc "$IMPORT_S" 2)
ADDED=$(jget added <<<"$IMPORT_JSON"); REJECTED=$(jget rejected <<<"$IMPORT_JSON")
log "import: $IMPORT_S s, $ADDED added, $REJECTED rejected"
VULNDB_JSON=$(api "$BERTH/api/v1/vulndb") || die "GET /api/v1/vulndb failed"
HWM_IMPORT=$(mem_mb VmHWM); RSS_IMPORT=$(mem_mb VmRSS)
gcdump import
log "server memory after import: VmHWM $HWM_IMPORT MB, VmRSS $RSS_IMPORT MB"

# --- push, scan on push -----------------------------------------------------------------------------------
REPORT_URL="$BERTH/api/v1/registries/scan-reg/repositories/app/manifests/latest/vulnerabilities"
SCAN_URL="$BERTH/api/v1/registries/scan-reg/repositories/app/manifests/latest/scan"
log "pushing the image with skopeo"
t0=$(date +%s.%N)
timeout 300 skopeo --insecure-policy copy -q --dest-tls-verify=false --dest-creds "$REG_AUTH" \
  "oci:$WORK/oci:latest" "docker://$HOST/scan-reg/app:latest" >&2
PUSH_S=$(calc "$(date +%s.%N) - $t0" 2)
log "push: $PUSH_S s; waiting for the scan on push"
FIRST=$(timeout 330 python3 "$GEN" wait --url "$REPORT_URL" --auth "admin:$ADMIN_PW" --timeout 300 \
          --findings-out "$WORK/findings.json")
FIRST_S=$(jget seconds <<<"$FIRST")
HWM_FIRST=$(mem_mb VmHWM); RSS_FIRST=$(mem_mb VmRSS)
gcdump first-scan
log "first scan: $FIRST_S s — $FIRST; VmHWM $HWM_FIRST MB, VmRSS $RSS_FIRST MB"

# --- re-scans, then the soak ------------------------------------------------------------------------------
rescan() {  # sets LAST_S (seconds) and prev (its startedAt)
  local code r
  code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X POST -u "admin:$ADMIN_PW" "$SCAN_URL")
  [[ $code == 202 ]] || die "POST .../scan: HTTP $code"
  r=$(timeout 330 python3 "$GEN" wait --url "$REPORT_URL" --auth "admin:$ADMIN_PW" --after "$prev" --timeout 300)
  [[ $(jget findings <<<"$r") == "$(jget findings <<<"$FIRST")" ]] || die "re-scan found $(jget findings <<<"$r") findings, the first scan $(jget findings <<<"$FIRST")"
  prev=$(jget startedAt <<<"$r")
  LAST_S=$(jget seconds <<<"$r")
}
RESCAN_VALS=()
prev=$(jget startedAt <<<"$FIRST")
for i in $(seq "$RESCANS"); do
  rescan
  RESCAN_VALS+=("$LAST_S")
  log "re-scan $i: ${RESCAN_VALS[-1]} s"
done
RESCAN_S=$(median "${RESCAN_VALS[@]}")
HWM_RESCANS=$(mem_mb VmHWM); RSS_RESCANS=$(mem_mb VmRSS)
log "after $RESCANS re-scans: VmHWM $HWM_RESCANS MB, VmRSS $RSS_RESCANS MB"
HWM_SOAK=(); SOAK_VALS=()
for i in $(seq "$SOAK"); do
  rescan
  SOAK_VALS+=("$LAST_S")
  HWM_SOAK+=("$(mem_mb VmHWM)")
done
HWM_END=$(mem_mb VmHWM); RSS_END=$(mem_mb VmRSS)
[[ $SOAK -gt 0 ]] && log "soak: $SOAK more re-scans, median $(median "${SOAK_VALS[@]}") s, max $(printf '%s\n' "${SOAK_VALS[@]}" | sort -g | tail -1) s; VmHWM ${HWM_SOAK[*]} MB"
# Bounded = the peak stopped moving: over the soak's second half it grew by at most 5 %.
MEM_VERDICT="—"; SOAK_GROWTH="—"
if [[ $SOAK -ge 4 ]]; then
  mid=${HWM_SOAK[$((SOAK / 2 - 1))]}
  SOAK_GROWTH="+$((HWM_END - mid)) MB ($(calc "100 * ($HWM_END - $mid) / $mid") %)"
  MEM_VERDICT=$(python3 -c "print('settled' if $HWM_END <= 1.05 * $mid else 'still growing')")
fi

# --- database updates: the whole archive again with 1 % revised, then the original again, and so on (--updates
#     times); each import queues the scan again, whose first step rebuilds the advisory index.
UPDATE_VALS=(); AFTER_UPDATE_VALS=(); HWM_UPDATES=(); UPD_DESC=""
for i in $(seq "$UPDATES"); do
  zip="$WORK/advisories-update.zip"; [[ $((i % 2)) -eq 0 ]] && zip="$WORK/advisories.zip"
  OUT=$(curl -s --max-time 900 -u "admin:$ADMIN_PW" -H 'Content-Type: application/zip' \
          --data-binary @"$zip" -w '\n%{http_code} %{time_total}' "$BERTH/api/v1/vulndb?source=bench-osv")
  read -r CODE T <<<"$(tail -n 1 <<<"$OUT")"
  UPDATE_JSON=$(sed '$d' <<<"$OUT")
  [[ $CODE == 200 ]] || die "update import $i: HTTP $CODE: $(head -c 500 <<<"$UPDATE_JSON")"
  UPDATE_VALS+=("$(calc "$T" 2)")
  UPD_DESC="$(jget updated <<<"$UPDATE_JSON") updated, $(jget unchanged <<<"$UPDATE_JSON") unchanged, $(jget rescansQueued <<<"$UPDATE_JSON") scan queued again"
  R=$(timeout 330 python3 "$GEN" wait --url "$REPORT_URL" --auth "admin:$ADMIN_PW" --after "$prev" --timeout 300)
  prev=$(jget startedAt <<<"$R")
  [[ $(jget findings <<<"$R") == "$(jget findings <<<"$FIRST")" ]] || die "the scan after update $i found $(jget findings <<<"$R") findings"
  AFTER_UPDATE_VALS+=("$(jget seconds <<<"$R")")
  HWM_UPDATES+=("$(mem_mb VmHWM)")
  log "update $i ($(basename "$zip")): import ${UPDATE_VALS[-1]} s ($UPD_DESC), scan ${AFTER_UPDATE_VALS[-1]} s; VmHWM ${HWM_UPDATES[-1]} MB, VmRSS $(mem_mb VmRSS) MB"
done
HWM_UPDATE=$(mem_mb VmHWM); RSS_UPDATE=$(mem_mb VmRSS)
gcdump end
stop_pid "$COUNTERS_PID"; COUNTERS_PID=""

# --- checks and server-side timings ----------------------------------------------------------------------------
PKGS=$(jget packageCount <<<"$FIRST"); FINDINGS=$(jget findings <<<"$FIRST")
EXP_PKGS=$(jget packages <<<"$IMG_JSON"); EXP_FINDINGS=$(jget expected_findings <<<"$ADV_JSON")
CHECK=$(python3 - "$WORK/expected.json" "$WORK/findings.json" <<'EOF'
import json, sys
exp = {tuple(x) for x in json.load(open(sys.argv[1]))}
got = {tuple(x) for x in json.load(open(sys.argv[2]))}
missing, extra = sorted(exp - got), sorted(got - exp)
print("exact match" if not missing and not extra else
      f"{len(missing)} expected findings missing (e.g. {missing[:3]}), {len(extra)} unexpected (e.g. {extra[:3]})")
EOF
)
mapfile -t INDEX_MS < <(grep -o 'Advisory index for database version [0-9]* built: [0-9]* advisories in [0-9]* ms' "$WORK/berth/log" \
                         | sed -n 's/.* in \([0-9]*\) ms/\1/p')
mapfile -t SCAN_MS < <(grep -o 'Scanned [^ ]*: Done, [0-9]* findings in [0-9]* ms' "$WORK/berth/log" | sed -n 's/.* in \([0-9]*\) ms/\1/p')

# --- report ------------------------------------------------------------------------------------------------
COMMIT=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
ok_scan() { python3 -c "print('met' if $1 < 5 else 'MISSED')"; }
{
  echo "## Berth scanner — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  [[ $PROFILE -eq 1 ]] && echo "- **Profiled run** (dotnet-counters, gcdumps forcing full GCs): memory figures not comparable with plain runs."
  echo "- Berth commit: \`$COMMIT\` ($BERTH_DLL); SQLite + filesystem (defaults), 1 scan worker (default)"
  echo "- Machine: $(nproc) CPUs, $CPU_MODEL, $(awk '/^MemTotal/ {printf "%.0f GB", $2/1e6}' /proc/meminfo) RAM; server and clients on one host over 127.0.0.1"
  echo "- Image: $(calc "$(jget bytes <<<"$IMG_JSON") / 1e6") MB in 5 gzip layers ($(jget layers <<<"$IMG_JSON") bytes; $(calc "$(jget uncompressed_bytes <<<"$IMG_JSON") / 1e6") MB uncompressed, filler: $FILLER), $EXP_PKGS packages: $(jget dpkg <<<"$IMG_JSON") dpkg (Debian 12), $(jget npm <<<"$IMG_JSON") npm (package-lock.json), $(jget pypi <<<"$IMG_JSON") PyPI (dist-info)"
  echo "- Advisories: $(jget advisories <<<"$ADV_JSON") OSV documents, $(calc "$(jget zip_bytes <<<"$ADV_JSON") / 1e6") MB zip; per ecosystem $(jget per_ecosystem <<<"$ADV_JSON"); $(jget for_image_packages <<<"$ADV_JSON") name image packages, $(jget matching_advisories <<<"$ADV_JSON") of them affect the installed versions"
  echo
  echo "| metric | value | target | result |"
  echo "| --- | ---: | --- | --- |"
  echo "| advisory import, POST /api/v1/vulndb (zip), $ADDED added, $REJECTED rejected | $IMPORT_S s | — | — |"
  echo "| skopeo push | $PUSH_S s | — | — |"
  echo "| first scan (on push; includes building the advisory index), startedAt→finishedAt | $FIRST_S s | < 5 s | $(ok_scan "$FIRST_S") |"
  echo "| — of which the advisory index build (server log) | ${INDEX_MS[0]:-?} ms | — | — |"
  echo "| re-scan, median of $RESCANS (POST …/scan; index built) | $RESCAN_S s | < 5 s | $(ok_scan "$RESCAN_S") |"
  echo "| re-scans, each | ${RESCAN_VALS[*]} s | — | — |"
  [[ $SOAK -gt 0 ]] && echo "| soak re-scans ($SOAK): median / max | $(median "${SOAK_VALS[@]}") / $(printf '%s\n' "${SOAK_VALS[@]}" | sort -g | tail -1) s | < 5 s | $(ok_scan "$(printf '%s\n' "${SOAK_VALS[@]}" | sort -g | tail -1)") |"
  echo "| first scan and re-scans in the server log (ScanWorker, ms) | ${SCAN_MS[*]:0:$((RESCANS + 1))} | — | — |"
  echo "| packages found (expected $EXP_PKGS) | $PKGS | = expected | $([[ $PKGS == "$EXP_PKGS" ]] && echo met || echo MISSED) |"
  echo "| findings (expected $EXP_FINDINGS, reference matcher) | $FINDINGS | = expected | $([[ $CHECK == "exact match" ]] && echo met || echo "MISSED: $CHECK") |"
  echo "| severity summary | $(jget summary <<<"$FIRST" | tr -d '"{}' | sed 's/,/, /g') | — | — |"
  echo "| server peak RSS (VmHWM) at start | $HWM_START MB | — | — |"
  echo "| server peak RSS (VmHWM) after import | $HWM_IMPORT MB | — | — |"
  echo "| server peak RSS (VmHWM) after first scan | $HWM_FIRST MB | — | — |"
  echo "| server peak RSS (VmHWM) after the $RESCANS re-scans | $HWM_RESCANS MB | — | — |"
  echo "| server peak RSS (VmHWM) after $SOAK more re-scans (soak) | $HWM_END MB | — | — |"
  echo "| VmHWM during the soak, every 5th re-scan | $(for ((k = 4; k < SOAK; k += 5)); do printf '%s ' "${HWM_SOAK[$k]}"; done)MB | — | — |"
  echo "| VmHWM growth over the soak's second half | $SOAK_GROWTH | ≤ 5 % | $MEM_VERDICT |"
  echo "| VmRSS at start / after import / first scan / re-scans / soak | $RSS_START / $RSS_IMPORT / $RSS_FIRST / $RSS_RESCANS / $RSS_END MB | — | — |"
  if [[ $UPDATES -gt 0 ]]; then
    echo "| $UPDATES database updates (whole archive again, 1 % revised / restored; each: $UPD_DESC): import, each | ${UPDATE_VALS[*]} s | — | — |"
    echo "| scan after each update (queued by the import; index rebuilt: ${INDEX_MS[*]:1} ms) | ${AFTER_UPDATE_VALS[*]} s | < 5 s | $(ok_scan "$(printf '%s\n' "${AFTER_UPDATE_VALS[@]}" | sort -g | tail -1)") |"
    echo "| server peak RSS (VmHWM) after each update and its scan | ${HWM_UPDATES[*]} MB (VmRSS at the end $RSS_UPDATE MB) | — | — |"
  fi
  echo
  echo "MB = 10^6 bytes. Scan times are the report's startedAt→finishedAt (claim to result; layer streaming, inventory, matching, report)."
} | tee "$BENCH_DIR/out/scan-results.md"
