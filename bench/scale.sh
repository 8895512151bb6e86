#!/usr/bin/env bash
# Management at scale: 200 registries in a project, 20,000 repositories in a registry, 200,000 tags in a repository;
# times every first page and detail of the management API and the dashboard, and the server's memory. Embedded
# defaults (SQLite + filesystem). See bench/README.md, "Management at scale".
# Usage: bench/scale.sh [--tags N] [--repos N] [--registries N] [--audit N] [--berth-dll PATH]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BERTH_DLL=""
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --berth-dll) BERTH_DLL=${2:?--berth-dll needs a path}; shift 2 ;;
    --tags|--repos|--registries|--audit) [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "$1 needs a number" >&2; exit 2; }; ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n 2,5p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

NAME=scale
EXTRA_ENV=()
# shellcheck source=embedded-berth.sh
source "$BENCH_DIR/embedded-berth.sh"

mkdir -p "$BENCH_DIR/out"
timeout 3600 python3 "$BENCH_DIR/scale.py" "http://127.0.0.1:$PORT" "$ADMIN_PW" "$WORK/data" "$BERTH_PID" "${ARGS[@]}" \
  | tee "$BENCH_DIR/out/scale-results.md"
