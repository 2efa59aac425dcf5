// SPDX-License-Identifier: MIT
/* The libbpf-tools pattern: twin programs for one kernel function, an fentry one
 * (cheaper, needs BTF trampolines) and a kprobe one (older kernels). ecli keeps the
 * one this kernel runs and skips the other with a notice. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Unlinks seen so far. */
unsigned long long unlinks = 0;

SEC("fentry/do_unlinkat")
int BPF_PROG(fentry_unlink, int dfd)
{
	__sync_fetch_and_add(&unlinks, 1);
	return 0;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(kprobe_unlink, int dfd)
{
	__sync_fetch_and_add(&unlinks, 1);
	return 0;
}
