#!/bin/sh
# /init of the matrix's guest: mounts what ecli needs, runs the checks, powers off.
export PATH=/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
ip link set lo up
echo "KCHECK-BOOTED $(uname -r)"
ECLI=/kcheck/ecli PKGS=/kcheck/packages BIN=/bin WORK=/tmp/kcheck sh /kcheck/driver.sh
echo "KCHECK-DONE"
poweroff -f
