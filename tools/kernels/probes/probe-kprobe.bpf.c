// SPDX-License-Identifier: MIT
/* One event per do_unlinkat call, from a kprobe: pid, dfd, comm and the file name
 * (read through CO-RE from struct filename). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "unlink-ring.h"

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(probe_kprobe, int dfd, struct filename *name)
{
	send_unlink(dfd, BPF_CORE_READ(name, name), 0);
	return 0;
}
