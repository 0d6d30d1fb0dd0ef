#!/usr/bin/env bash
# Builds the launch-agent jar and runs `launch-agent demo`: sample jobs through the agent on its embedded
# defaults (directory queue, local-process runner), nothing else installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -q -B -ntp -DskipTests package -pl launch-examples -am
exec java -jar launch-examples/target/launch-agent.jar demo "$@"
