// SPDX-License-Identifier: MIT
/* One event per do_unlinkat return, from a kretprobe: pid, comm and the return value. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "unlink-ring.h"

char LICENSE[] SEC("license") = "GPL";

SEC("kretprobe/do_unlinkat")
/* do_unlinkat returns int: read as a long, -EISDIR would come out as 4294967275. */
int BPF_KRETPROBE(probe_kretprobe, int ret)
{
	send_unlink(0, 0, ret);
	return 0;
}
