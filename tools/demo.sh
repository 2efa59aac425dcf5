#!/usr/bin/env bash
# The main job: build dist/ecli, compile examples/bootstrap, run it for a few seconds
# while a few processes start and exit, and show the decoded events.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build-binary.sh
dist/ecli build examples/bootstrap/bootstrap.bpf.c examples/bootstrap/bootstrap.bpf.h
# A few known processes, started once ecli has attached; ecli shows only this
# subshell's children (--target-pid), so the demo output is not drowned by the machine.
( sleep 1; for i in 1 2 3; do /bin/true; ls / >/dev/null; sh -c "exit $i" || true; sleep 0.2; done ) &
dist/ecli run --duration 3 examples/bootstrap/package.json --target-pid $!
wait
