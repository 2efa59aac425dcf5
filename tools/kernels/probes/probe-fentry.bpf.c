// SPDX-License-Identifier: MIT
/* One event per do_unlinkat call, from an fentry program (typed BTF arguments). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "unlink-ring.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fentry/do_unlinkat")
int BPF_PROG(probe_fentry, int dfd, struct filename *name)
{
	send_unlink(dfd, name->name, 0);
	return 0;
}
