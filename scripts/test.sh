#!/usr/bin/env bash
# Runs every test of Souverain on a fresh Debian machine with Swift 6.3: installs what the tests
# need (Debian packages, a Python venv with aws-cli, boto3 and pytest), builds, runs the Swift
# unit tests, then the integration tests that drive the real `souverain` binary with aws-cli,
# boto3, rclone, s3cmd and curl.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

echo "== installing test dependencies"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq libsqlite3-dev zlib1g-dev rclone s3cmd curl python3-venv softhsm2 chromium postgresql haproxy > /dev/null

python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r tests/integration/requirements.txt

echo "== building"
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
swift build --build-tests > "$build_log" 2>&1 || { tail -n 60 "$build_log"; exit 1; }
tail -n 3 "$build_log"
# The build of our own code must be free of warnings.
if grep -E "^$PWD/(Sources|Tests)/[^:]+:[0-9]+:[0-9]+: warning:" "$build_log" | sort -u | grep .; then
    echo "the build has warnings in Souverain's own code (above)"
    exit 1
fi

# moto_server (from the venv) is the independent S3 server the S3 client and S3 location tests use.
export PATH="$PWD/.venv/bin:$PATH"

echo "== Swift unit tests"
# PostgreSQL was installed above: its tests (the catalogue contract on PostgreSQL) must run, never skip.
export SOUVERAIN_REQUIRE_POSTGRES=1
swift test --skip-build

echo "== integration tests with real clients"
export SOUVERAIN_BIN="$PWD/.build/debug/souverain"
# Two workers, each taking whole modules (a module shares one server): the tests spend most of
# their time waiting on servers, so two at once halve the wall time (17 to 8.5 minutes here).
python -m pytest tests/integration -q -p no:cacheprovider -n 2 --dist loadfile --durations=25
