// SPDX-License-Identifier: MIT
/* Counts failed unlinks with a kretprobe on do_unlinkat. On a kernel without kprobes
 * the program loads but cannot attach, and ecli says so in one line. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Unlinks that returned an error. */
unsigned long long failed_unlinks = 0;

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(kretprobe_unlink, int ret)
{
	if (ret < 0)
		__sync_fetch_and_add(&failed_unlinks, 1);
	return 0;
}
