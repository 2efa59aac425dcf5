// SPDX-License-Identifier: MIT
/* Off-CPU stack traces: each time a task of the target process is switched out (it
 * sleeps, blocks or is preempted), send its kernel stack and its user stack, as
 * bpf_get_stack() reads them, through a ring buffer. `ecli run` prints them symbolised
 * through the `stack_trace` interpreter set on the ring buffer below.
 *
 * The tracepoint is sched_switch rather than a syscall-entry tracepoint: at syscall
 * entry the kernel stack holds only the tracing path, while a task switched out inside
 * nanosleep shows the whole path (do_nanosleep, hrtimer_nanosleep, __x64_sys_*,
 * do_syscall_64, entry_SYSCALL_64). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "stacktrace.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/// @intepreter {"stack_trace": {"with_symbols": true}}
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Trace only the process with this id (0: every process; expect many events). */
const volatile int target_pid = 0;

SEC("tp/sched/sched_switch")
int off_cpu(struct trace_event_raw_sched_switch *ctx)
{
	struct stacktrace_event *e;
	/* The task being switched out is still current here. */
	int pid = bpf_get_current_pid_tgid() >> 32;

	if (pid == 0 || (target_pid && pid != target_pid))
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;

	e->pid = pid;
	e->cpu_id = bpf_get_smp_processor_id();
	if (bpf_get_current_comm(e->comm, sizeof(e->comm)))
		e->comm[0] = 0;
	e->kstack_sz = bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0);
	e->ustack_sz = bpf_get_stack(ctx, e->ustack, sizeof(e->ustack), BPF_F_USER_STACK);

	bpf_ringbuf_submit(e, 0);
	return 0;
}
