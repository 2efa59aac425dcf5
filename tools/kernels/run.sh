#!/usr/bin/env bash
# `npm run test:kernels`: the kernel matrix (tools/kernels/kernels.ts): every check on this
# machine's kernel and on each kernel booted in QEMU. Builds dist/ecli first (unless
# ECLI_BIN names another binary, or SKIP_BUILD=1 because the caller just built it), and
# leaves a JUnit report and Bun's log in .test-results/kernels.{xml,log} for the CI summary.
# KERNELS=native or KERNELS=debian-6.1 runs a part of the matrix.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mkdir -p .test-results
if [[ -z ${ECLI_BIN:-} && ${SKIP_BUILD:-} != 1 ]]; then
  bash tools/build-binary.sh || exit 1
fi
node_modules/.bin/bun test --timeout 400000 --reporter=junit --reporter-outfile=.test-results/kernels.xml \
  ./tools/kernels/ 2>&1 | tee .test-results/kernels.log
exit "${PIPESTATUS[0]}"
