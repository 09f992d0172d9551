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
as_root apt-get install -y -qq libsqlite3-dev rclone s3cmd curl python3-venv > /dev/null

python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r tests/integration/requirements.txt

echo "== building"
swift build --build-tests 2>&1 | tail -n 30

echo "== Swift unit tests"
swift test --skip-build

echo "== integration tests with real clients"
export SOUVERAIN_BIN="$PWD/.build/debug/souverain"
export PATH="$PWD/.venv/bin:$PATH"
python -m pytest tests/integration -q -p no:cacheprovider
