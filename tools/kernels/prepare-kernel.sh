#!/usr/bin/env bash
# Fetches a Debian kernel image package into the cache (never installs it) and prints the
# path of its vmlinuz. The argument is a package name such as linux-image-6.1.0-56-amd64,
# "linux-image-6.1-newest" for the newest 6.1.0-N build apt knows about, or a path to a
# kernel image (anything with a slash), printed back unchanged.
# Cache: $XDG_CACHE_HOME/eunomia/kernels (else ~/.cache/eunomia/kernels), one directory per package.
set -euo pipefail
want=${1:?usage: prepare-kernel.sh <linux-image package | linux-image-6.1-newest | path to a kernel image>}
# A kernel from elsewhere (built locally, another distribution): used as it is.
if [[ $want == */* ]]; then
  [[ -f $want ]] || { echo "prepare-kernel: no kernel image at $want" >&2; exit 1; }
  echo "$want"
  exit 0
fi
if [[ $want == linux-image-6.1-newest ]]; then
  want=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | cut -d' ' -f1 | sort -V | tail -1)
  [[ -n $want ]] || { echo "prepare-kernel: apt knows no linux-image-6.1.0-N-amd64 package (apt-get update?)" >&2; exit 1; }
fi
cache=${XDG_CACHE_HOME:-$HOME/.cache}/eunomia/kernels/$want
vmlinuz=$(ls "$cache"/root/boot/vmlinuz-* 2>/dev/null | head -1 || true)
if [[ -z $vmlinuz ]]; then
  mkdir -p "$cache"
  rm -rf "$cache/root" "$cache"/*.deb
  # apt-get download writes into the current directory; _apt cannot write here, so it warns.
  (cd "$cache" && apt-get download -q "$want" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
  deb=$(ls "$cache"/*.deb 2>/dev/null | head -1 || true)
  [[ -n $deb ]] || { echo "prepare-kernel: could not download $want" >&2; exit 1; }
  # Only the kernel image is needed: everything the guest uses is built in.
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache" --one-top-level=root --wildcards './boot/vmlinuz-*' './boot/config-*'
  rm -f "$deb"
  vmlinuz=$(ls "$cache"/root/boot/vmlinuz-* | head -1)
fi
echo "$vmlinuz"
