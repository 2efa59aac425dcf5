// SPDX-License-Identifier: MIT
/* exec() events sent through a perf event array (not a ring buffer), for a
 * WebAssembly module to receive with wasm_bpf_buffer_poll. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "exec.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} exec_events SEC(".maps");

/* Report only the children of this process (0: every exec). */
const volatile int parent_pid = 0;

SEC("tp/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.ppid = BPF_CORE_READ(task, real_parent, tgid);
	if (parent_pid && e.ppid != parent_pid)
		return 0;
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &exec_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
