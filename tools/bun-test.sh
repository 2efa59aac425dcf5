#!/usr/bin/env bash
# Runs `bun test` for the current package and leaves a JUnit report (and Bun's own summary
# in a log) where tools/test-all.sh collects them, so the final "N passed, N failed" comes
# from the real run.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$PWD")
mkdir -p "$root/.test-results"
"$root/node_modules/.bin/bun" test --timeout 60000 \
  --reporter=junit --reporter-outfile="$root/.test-results/$name.xml" "$@" 2>&1 | tee "$root/.test-results/$name.log"
exit "${PIPESTATUS[0]}"
