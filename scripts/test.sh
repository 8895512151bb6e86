#!/usr/bin/env bash
# Installs the integration-test dependencies (skopeo, podman) if needed, then runs every test project.
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "FullyQualifiedName~OciApiTests".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/install-test-deps.sh"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test "$root/Berth.slnx" --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?

# One closing line over every test project ("N passed, N failed"), from the per-project summaries.
passed=$( (grep -E '^\s+Passed: [0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
failed=$( (grep -E '^\s+Failed: [0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
# CI keeps only the tail of the output: repeat each failure (name, message, first lines of the stack) here.
if [ "$failed" -gt 0 ]; then
  echo "Failed tests:"
  awk '/^[[:space:]]+Failed [A-Za-z]/ {n=25} n > 0 {print; n--}' "$log" | cut -c1-400
fi
echo "Tests: ${passed} passed, ${failed} failed"
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then status=1; fi
exit "$status"
