#!/usr/bin/env bash
# Installs what the integration tests (tests/Berth.Registry.Tests) need, if it is missing:
#   skopeo  - pushes/pulls/inspects images against Berth
#   podman  - rootful, with per-test isolated storage on the vfs driver (no overlay mounts, no fuse needed),
#             cgroupfs and file events (no systemd/journald in containers/CI sandboxes)
#   uidmap  - newuidmap/newgidmap, which podman expects on the system
#   kubectl - the reference for generated imagePullSecrets (Debian's kubernetes-client, unless a kubectl exists)
# Idempotent: does nothing (not even apt-get update) when everything is present. Debian/Ubuntu (apt) only.
set -euo pipefail

packages=(skopeo podman uidmap openssl)  # openssl: TlsTests makes a self-signed certificate

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if ! command -v kubectl >/dev/null 2>&1; then
    missing+=(kubernetes-client)
fi

if ((${#missing[@]} > 0)); then
    echo "install-test-deps: installing ${missing[*]}"
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-test-deps: apt-get not found; install ${missing[*]} by hand" >&2
        exit 1
    fi
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "install-test-deps: must run as root (or with sudo) to install ${missing[*]}" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "install-test-deps: skopeo, podman, uidmap and kubectl are installed"
fi

# skopeo and podman refuse to work without a signature policy; the tests pass their own, but the tools
# should work from a shell too.
if [[ ! -f /etc/containers/policy.json && $(id -u) -eq 0 ]]; then
    mkdir -p /etc/containers
    echo '{"default":[{"type":"insecureAcceptAnything"}]}' >/etc/containers/policy.json
fi

# Sanity check: podman starts with exactly the options the test wrapper uses.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if ! podman --root "$scratch/storage" --runroot "$scratch/run" --storage-driver vfs \
    --cgroup-manager cgroupfs --events-backend file --tmpdir "$scratch/tmp" \
    info --format '{{.Store.GraphDriverName}}' >"$scratch/info" 2>&1; then
    echo "install-test-deps: podman does not start with the test options:" >&2
    cat "$scratch/info" >&2
    exit 1
fi
echo "install-test-deps: $(skopeo --version), $(podman --version) (storage driver $(cat "$scratch/info"))"

# ---- PostgreSQL: for the PostgreSQL metadata store tests (tests/Berth.Testing/PostgresServer.cs) ----
# Only the server binaries are needed: each test run initdb's and starts its own throwaway server (as the postgres OS
# user when run as root), so the system cluster the package sets up is never started here.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    echo "install-test-deps: installing postgresql"
    pg_sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        pg_sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${pg_sudo[@]}" apt-get update -q
    "${pg_sudo[@]}" apt-get install -y -q --no-install-recommends postgresql
fi
pg_initdb=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1)
echo "install-test-deps: $("$pg_initdb" --version)"

# --- S3 (tests/Berth.Testing/S3Server.cs) -------------------------------------------------------------------------------
# s3rver, a file-backed S3 server on Node.js, for the S3 blob driver's tests. Installed with npm under a tools
# directory outside the repository (BERTH_TEST_TOOLS, default /opt/berth-test-tools), where the test fixture looks for
# it. Self-contained: needs only node and npm, and does nothing when the pinned version is already there.
s3rver_version=3.7.1
s3rver_dir="${BERTH_TEST_TOOLS:-/opt/berth-test-tools}/s3rver"
s3rver_package="$s3rver_dir/node_modules/s3rver/package.json"
if [[ -f "$s3rver_package" ]] && grep -q "\"version\": \"$s3rver_version\"" "$s3rver_package"; then
    echo "install-test-deps: s3rver $s3rver_version is installed in $s3rver_dir"
else
    for tool in node npm; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "install-test-deps: $tool not found; s3rver needs Node.js and npm" >&2
            exit 1
        fi
    done
    echo "install-test-deps: installing s3rver $s3rver_version in $s3rver_dir"
    mkdir -p "$s3rver_dir"
    npm install --prefix "$s3rver_dir" --no-audit --no-fund --no-save --loglevel=error "s3rver@$s3rver_version"
fi
echo "install-test-deps: s3rver $(node "$s3rver_dir/node_modules/s3rver/bin/s3rver.js" --version)"

# --- Chromium (tests/Berth.Dashboard.Tests) -----------------------------------------------------------------------
# The dashboard's browser tests drive Debian's Chromium through Playwright (ExecutablePath /usr/bin/chromium), so
# Playwright never downloads a browser of its own.
if [[ ! -x /usr/bin/chromium ]]; then
    echo "install-test-deps: installing chromium"
    chromium_sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        chromium_sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${chromium_sudo[@]}" apt-get update -q
    "${chromium_sudo[@]}" apt-get install -y -q --no-install-recommends chromium
fi
echo "install-test-deps: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium (version unknown)')"
