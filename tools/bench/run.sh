#!/usr/bin/env bash
# The event-path benchmark (docs/BENCHMARKS.md): builds the generator and the C consumer
# with gcc and bench.bpf.c with dist/ecli, runs the C libbpf consumer, ecli and bpftrace
# one after another, and writes the results into docs/BENCHMARKS.md. Needs root, gcc,
# libbpf-dev, bpftool and bpftrace. Options: tools/bench/run.sh --help.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
exec "$root/node_modules/.bin/bun" "$root/tools/bench/run.ts" "$@"
