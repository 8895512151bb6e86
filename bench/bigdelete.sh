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

NAME=bigdelete
EXTRA_ENV=(Logging__LogLevel__Berth.Registry.Management.RegistryPurger=Information)
# shellcheck source=embedded-berth.sh
source "$BENCH_DIR/embedded-berth.sh"

timeout 1800 python3 "$BENCH_DIR/bigdelete.py" "http://127.0.0.1:$PORT" "$ADMIN_PW" "$WORK/data" "$BERTH_PID" "$TAGS" "$METRICS_TOKEN" "$CLIENTS"
grep -h "Purged" "$WORK/berth.log" >&2 || true
