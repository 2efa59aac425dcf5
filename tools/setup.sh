#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine (run as root or
# with sudo): the eBPF toolchain from apt, Bun and the rest from npm, and tracefs.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PACKAGES=(
  clang-19 llvm-19 bpftool libbpf-dev libbpf1 zlib1g linux-libc-dev libc6-dev util-linux gcc binutils bpftrace iproute2 python3
  qemu-system-x86 busybox-static cpio               # the kernel matrix (tools/kernels)
  docker-registry                                   # a real OCI registry for the push/pull tests
  prometheus                                        # prometheus + promtool for the exporter tests
  lld-19 wasi-libc libclang-rt-19-dev-wasm32        # building WebAssembly user-space modules
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x node_modules/.bin/bun ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Tracepoints need tracefs; a fresh VM may not have it mounted.
if [ ! -d /sys/kernel/tracing/events ]; then
  $SUDO mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || echo "setup: warning: could not mount tracefs" >&2
fi
echo "setup: done (bun $(node_modules/.bin/bun --version), $(clang-19 --version | head -1))"
