#!/usr/bin/env bash
# Installs the local servers the test suite starts on 127.0.0.1: Debian's docker-registry (a real OCI
# registry), skopeo, htpasswd (apache2-utils) and Azurite (npm, into .tools/). Idempotent: a machine that
# already has them installs nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"

missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$tools/node_modules/.bin/azurite-blob" ]; then
  echo "installing azurite 3.37.0 into $tools"
  mkdir -p "$tools"
  # `npm init -y` would take the folder name ".tools" as package name, which npm refuses
  [ -f "$tools/package.json" ] || echo '{"name":"launchkit-test-tools","private":true}' > "$tools/package.json"
  (cd "$tools" && npm install --no-audit --no-fund --silent azurite@3.37.0 >/dev/null)
fi
echo "test tools ready: $(command -v docker-registry) $(command -v skopeo) $(command -v htpasswd) $tools/node_modules/.bin/azurite-blob"
