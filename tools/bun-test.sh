#!/usr/bin/env bash
# Runs `bun test` for the current package and leaves a JUnit report where
# tools/test-all.sh collects it, so the final "N passed, N failed" comes from the real run.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$PWD")
mkdir -p "$root/.test-results"
exec "$root/node_modules/.bin/bun" test --timeout 60000 \
  --reporter=junit --reporter-outfile="$root/.test-results/$name.xml" "$@"
