#!/usr/bin/env bash
# Runs every test of every module on a fresh machine: installs the local test servers, then `mvn verify`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install-test-tools.sh
mvn -B -ntp verify "$@"
