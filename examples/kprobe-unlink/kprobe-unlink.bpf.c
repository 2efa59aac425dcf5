// SPDX-License-Identifier: MIT
/* Counts unlinks with a kprobe on do_unlinkat. On a kernel without kprobes
 * (CONFIG_KPROBES off) it loads, and attaching it fails with a clear error. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Unlinks seen so far. */
unsigned long long unlinks = 0;

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(kprobe_unlink, int dfd)
{
	__sync_fetch_and_add(&unlinks, 1);
	return 0;
}
