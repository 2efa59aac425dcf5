// SPDX-License-Identifier: MIT
/* One event per do_unlinkat return, from an fexit program: the arguments and the return value. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "unlink-ring.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fexit/do_unlinkat")
/* do_unlinkat returns int: read as a long, -EISDIR would come out as 4294967275. */
int BPF_PROG(probe_fexit, int dfd, struct filename *name, int ret)
{
	send_unlink(dfd, name->name, ret);
	return 0;
}
