// SPDX-License-Identifier: MIT
/* Counts unlinks with an fentry program on do_unlinkat. Where the kernel refuses
 * tracing programs (EPERM at load) ecli says so in one line. */
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
