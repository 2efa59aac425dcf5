#!/usr/bin/env bash
# Builds the guest's initramfs (an uncompressed cpio: nothing to inflate under TCG) from
# the host's own files: static busybox with every applet, /init, the ecli binary with the
# shared libraries it and libbpf need (and bpftool's, to list what is loaded), and the
# payload directory (driver.sh, packages/) as /kcheck.
# Usage: make-initramfs.sh <ecli binary> <payload dir> <output.cpio>
set -euo pipefail
ecli=${1:?ecli binary}; payload=${2:?payload dir}; out=${3:?output file}
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,sys,dev,tmp,root,lib64,lib/x86_64-linux-gnu}
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
done
install -m 755 "$here/guest-init.sh" "$root/init"
cp -r "$payload" "$root/kcheck"
cp "$ecli" "$root/kcheck/ecli"
cp "$(command -v bpftool)" "$root/bin/bpftool"
# ecli opens libbpf with dlopen, so ldd does not list it: name it and its own libraries.
libs=$( { ldd "$ecli"; ldd "$(command -v bpftool)"; ldd /lib/x86_64-linux-gnu/libbpf.so.1; } | grep -o '/[^ ]*' | sort -u)
for lib in $libs /lib/x86_64-linux-gnu/libbpf.so.1; do
  case $lib in
    */ld-linux-x86-64.so.2) cp -L "$lib" "$root/lib64/ld-linux-x86-64.so.2" ;;
    *) cp -L "$lib" "$root/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
  esac
done
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out"
