// SPDX-License-Identifier: MIT
/* bpf_printk output: every write(2) of the process target_pid is reported through the
 * kernel's trace pipe, not a ring buffer. `ecli run --printk` shows those lines. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Trace only this process (thread-group id); 0 traces every process. */
const volatile pid_t target_pid = 0;

/* A word printed at the start of every line, to tell this program's lines apart. */
const volatile char tag[16] = "printk";

SEC("tp/syscalls/sys_enter_write")
int handle_write(struct trace_event_raw_sys_enter *ctx)
{
	pid_t pid = bpf_get_current_pid_tgid() >> 32;

	if (target_pid && pid != target_pid)
		return 0;
	bpf_printk("%s: write fd=%d count=%d", tag, (int)ctx->args[0], (int)ctx->args[2]);
	return 0;
}
