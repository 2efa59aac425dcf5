#!/usr/bin/env bash
# Runs every check and test: typechecks every project (lint), builds dist/ecli (the
# end-to-end tests run the real binary), runs each project's `test` target through Nx,
# then the kernel matrix (tools/kernels/run.sh: this kernel and Debian 6.1 in QEMU), and
# sums the JUnit reports into one closing line (a failed typecheck counts as a failure).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rm -rf .test-results && mkdir -p .test-results
status=0
npx --no-install nx run-many -t lint --outputStyle=stream || status=1
bash tools/build-binary.sh || status=1
npx --no-install nx run-many -t test --outputStyle=stream || status=1
SKIP_BUILD=1 bash tools/kernels/run.sh || status=1
node_modules/.bin/bun tools/junit-summary.ts .test-results "$status"
