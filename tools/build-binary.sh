#!/usr/bin/env bash
# Compiles the CLI into one self-contained executable, dist/ecli (and dist/ecc, the same binary).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p dist
# --bytecode: the JS is shipped precompiled, which halves the time from start to attached.
node_modules/.bin/bun build --compile --bytecode --minify-syntax --minify-whitespace \
  packages/cli/src/main.ts --outfile dist/ecli >/dev/null
ln -sf ecli dist/ecc
echo "built dist/ecli ($(du -h dist/ecli | cut -f1))"
