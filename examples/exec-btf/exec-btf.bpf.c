// SPDX-License-Identifier: MIT
/* sched_process_exec seen twice: through a raw tracepoint (arguments as u64s) and
 * through a BTF-typed tracepoint (typed arguments), each reporting the pid, the
 * pid before exec and the file name. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "exec-btf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static void send(int source, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	const char *filename;

	if (!e)
		return;
	e->source = source;
	e->pid = BPF_CORE_READ(p, tgid);
	e->old_pid = old_pid;
	filename = BPF_CORE_READ(bprm, filename);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	bpf_ringbuf_submit(e, 0);
}

SEC("raw_tp/sched_process_exec")
int raw_exec(struct bpf_raw_tracepoint_args *ctx)
{
	send(1, (struct task_struct *)ctx->args[0], (pid_t)ctx->args[1], (struct linux_binprm *)ctx->args[2]);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(btf_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	send(2, p, old_pid, bprm);
	return 0;
}
