#!/usr/bin/env bash
# Installs the integration-test dependencies (skopeo, podman) if needed, then runs every test project.
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "FullyQualifiedName~OciApiTests".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/install-test-deps.sh"

status=0
dotnet test "$root/Berth.slnx" --logger "console;verbosity=normal" "$@" || status=$?
exit "$status"
