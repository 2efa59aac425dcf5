// SPDX-License-Identifier: MIT
/* Counts failed unlinks with an fexit program on do_unlinkat (its return value is
 * visible at exit). Where the kernel refuses tracing programs ecli says so in one line. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Unlinks that returned an error. */
unsigned long long failed_unlinks = 0;

SEC("fexit/do_unlinkat")
int BPF_PROG(fexit_unlink, int dfd, struct filename *name, int ret)
{
	if (ret < 0)
		__sync_fetch_and_add(&failed_unlinks, 1);
	return 0;
}
